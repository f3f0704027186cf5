import Foundation
import HistoryStore
import PostgresHistory
import Reports
import SQLiteHistory

/// `fpreport-bench`: the benchmark driver. `all` runs every scenario in its own process (so peak
/// memory is per scenario), `--repetitions` times (3 by default), and prints a Markdown table;
/// `--quick` uses small sizes and one run, as a check that everything runs.
@main
struct Bench {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let quick = arguments.contains("--quick")
        arguments.removeAll { $0 == "--quick" }
        func text(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        func value(_ name: String, _ fallback: Int) -> Int { text(name).flatMap { Int($0) } ?? fallback }
        let database = text("--database") ?? FileManager.default.temporaryDirectory.appendingPathComponent("fpreport-bench.sqlite").path
        switch arguments.first ?? "all" {
        case "serve":
            try await CollectScenarios.serve(accounts: value("--accounts", 1000), latencyMs: value("--latency-ms", 0))
        case "collect-cpu":
            try await CollectScenarios.cpu(accounts: value("--accounts", 10_000), history: text("--history"))
        case "collect-latency":
            try await CollectScenarios.latency(accounts: value("--accounts", 2000), latencyMs: 50, concurrency: 64)
        case "store":
            try await StoreScenario.run(accounts: value("--accounts", 10_000))
        case "generate":
            // --stuck-share 0: no batch stuck for good, so the open set does not grow with the nights.
            // --managers N: the accounts shared by N managers (10 by default), each with a workbook and a page.
            // --runs-per-day N: N collections a day (1 by default; the demo's 4), all within the day.
            try await ReportScenario.generate(
                accounts: value("--accounts", 10_000), nights: value("--nights", 90),
                stuckShare: text("--stuck-share").flatMap(Double.init) ?? 0.01, managers: value("--managers", 10),
                runsPerDay: value("--runs-per-day", 1), database: database)
        case "postgres":
            try await PostgresScenarios.run(
                accounts: value("--accounts", 10_000), reportHistory: text("--history"), nights: value("--nights", 30),
                concurrency: value("--concurrency", 16), runs: value("--runs", 2))
        case "pg-collect":
            try await PostgresScenarios.collectPart(
                baseURL: URL(string: text("--base-url") ?? "")!, accounts: value("--accounts", 10_000),
                asOf: Date(timeIntervalSince1970: Double(value("--as-of", 0))), database: text("--database") ?? "",
                concurrency: value("--concurrency", 16), runs: value("--runs", 2))
        case "reads":
            // Each of the trends' and the night's reads alone, one after another, from SQLite (--database) or PostgreSQL (--postgres).
            let store: any HistoryReader = if let url = text("--postgres") {
                try await PostgresHistoryStore.open(try PostgresAddress(parsing: url), password: PostgresScenarios.password)
            } else {
                try SQLiteHistoryStore(path: database)
            }
            let end = ReportScenario.start + Int64(value("--nights", 30)) * 86_400
            let start = end - 30 * 86_400
            func time(_ name: String, _ read: () async throws -> Int) async throws {
                let started = ContinuousClock.now
                let rows = try await read()
                print("\(name): \(rows) rows in \((ContinuousClock.now - started).inSeconds) s")
            }
            try await time("events") { try await store.reduceEvents(from: start, to: end, into: { 0 }) { n, _ in n += 1 } }
            try await time("event tallies") { try await store.reduceEventTallies(from: start, to: end, into: { 0 }) { n, _ in n += 1 } }
            try await time("fetches") { try await store.reduceFetches(from: start, to: end, into: { 0 }) { n, _ in n += 1 } }
            try await time("fetch marks") { try await store.reduceFetchMarks(from: start, to: end, into: { 0 }) { n, _ in n += 1 } }
            try await time("progress steps") { try await store.reduceProgressSteps(from: start, to: end, into: { 0 }) { n, _ in n += 1 } }
            try await time("last status counts of each day") {
                try await store.reduceLastStatusCounts(inPeriods: Array(stride(from: start, through: end, by: 86_400)), into: { 0 }) { n, _ in n += 1 }
            }
            // And the night's: its last day.
            let night = end - 86_400
            try await time("night: batch states") { try await store.batchStates(at: end - 1, activeSince: night).count }
            try await time("night: counts at end") { try await store.statusCounts(atOrBefore: end - 1).count }
            try await time("night: terminal durations") { try await store.terminalDurations(from: night, to: end).count }
            try await time("night: fetches") { try await store.fetches(from: night, to: end).count }
        case "report" where text("--postgres") != nil:
            // The same report from a PostgreSQL copy of the history (`migrate-history`).
            let store = try await PostgresHistoryStore.open(try PostgresAddress(parsing: text("--postgres")!), password: PostgresScenarios.password)
            try await ReportScenario.run(
                accounts: value("--accounts", 10_000), nights: value("--nights", 90), store: store, backend: ", from PostgreSQL",
                formats: (text("--formats") ?? "csv,html,xlsx").split(separator: ",").compactMap { ReportFormat(rawValue: String($0)) })
        case "report":
            try await ReportScenario.run(
                accounts: value("--accounts", 10_000), nights: value("--nights", 90), database: database,
                formats: (text("--formats") ?? "csv,html,xlsx").split(separator: ",").compactMap { ReportFormat(rawValue: String($0)) })
        default:
            try await all(quick: quick, database: database, repetitions: value("--repetitions", quick ? 1 : 3))
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        }
    }

    /// Every scenario as a child process, `repetitions` times each (a history is generated once);
    /// RESULT lines collected into one table: the median and the range of each measure, and for
    /// memory the worst run, since that is what the target is about.
    static func all(quick: Bool, database: String, repetitions: Int) async throws {
        let scale = quick ? 10 : 1
        var plan: [[String]] = [
            ["collect-cpu", "--accounts", String(10_000 / scale)],
            ["collect-cpu", "--accounts", String(1000 / scale)],
            ["collect-latency", "--accounts", String(2000 / scale)],
            ["store", "--accounts", String(10_000 / scale)],
            ["generate", "--accounts", String(10_000 / scale), "--nights", String(90 / (quick ? 3 : 1))],
            ["report", "--accounts", String(10_000 / scale), "--nights", String(90 / (quick ? 3 : 1))],
            ["collect-cpu", "--accounts", String(10_000 / scale), "--history", database],
            // The same fleet with a third of the history, and a tenth of the fleet with all of it:
            // memory should follow the fleet, not the history.
            ["generate", "--accounts", String(10_000 / scale), "--nights", "30"],
            ["report", "--accounts", String(10_000 / scale), "--nights", "30"],
            ["generate", "--accounts", String(1000 / scale), "--nights", String(90 / (quick ? 3 : 1))],
            ["report", "--accounts", String(1000 / scale), "--nights", String(90 / (quick ? 3 : 1))],
            // The fleet shared by 200 managers, 50 accounts each: each manager is a workbook and a page.
            ["generate", "--accounts", String(10_000 / scale), "--nights", "30", "--managers", String(200 / scale)],
            ["report", "--accounts", String(10_000 / scale), "--nights", "30"],
        ]
        if PostgresScenarios.serverURL != nil {
            // The same 30-night history moved into PostgreSQL and reported from there (make bench starts a server).
            let fleet = String(10_000 / scale)
            plan.append(["generate", "--accounts", fleet, "--nights", "30"])
            plan.append(["postgres", "--accounts", fleet, "--history", database, "--nights", "30"])
        }
        // The report scenarios' output, kept until the end (ReportScenario says why).
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fpreport-bench-scratch-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        setenv("FPREPORT_BENCH_SCRATCH", scratch.path, 1)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var results: [[ResultLine]] = []
        for arguments in plan {
            // Runs are grouped by scenario and measure, so every scenario's name carries its sizes.
            for run in 1...(arguments[0] == "generate" ? 1 : max(1, repetitions)) {
                FileHandle.standardError.write(Data("running \(arguments.joined(separator: " ")) (\(run)) …\n".utf8))
                for result in try runScenario(arguments) {
                    if let index = results.firstIndex(where: { $0[0].scenario == result.scenario && $0[0].metric == result.metric }) {
                        results[index].append(result)
                    } else {
                        results.append([result])
                    }
                    FileHandle.standardError.write(Data("  \(result.metric): \(format(result.value)) \(result.unit)\n".utf8))
                }
            }
        }
        print("| scenario | measure | value | range over \(repetitions) runs | note |")
        print("|---|---|---:|---|---|")
        for runs in results {
            let values = runs.map(\.value).sorted()
            let value = runs[0].unit == "MiB" ? values[values.count - 1] : values[values.count / 2]
            let range = values.count > 1 ? "\(format(values[0]))–\(format(values[values.count - 1]))" : ""
            print("| \(runs[0].scenario) | \(runs[0].metric) | \(format(value)) \(runs[0].unit) | \(range) | \(runs[0].note) |")
        }
    }

    /// Runs one scenario as a child process and returns its RESULT lines (a failure is one too).
    static func runScenario(_ arguments: [String]) throws -> [ResultLine] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var results = String(decoding: output, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("RESULT ") }.compactMap {
            try? JSONDecoder().decode(ResultLine.self, from: Data($0.dropFirst(7).utf8))
        }
        if process.terminationStatus != 0 {
            results.append(ResultLine(
                scenario: arguments.joined(separator: " "), metric: "FAILED", value: Double(process.terminationStatus), unit: "exit", note: ""))
        }
        return results
    }

    static func format(_ value: Double) -> String {
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3g", value)
    }
}
