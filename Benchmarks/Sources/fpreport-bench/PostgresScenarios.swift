import Collector
import FPConfig
import FPModel
import FPReportJobs
import Foundation
import HistoryStore
import Logging
import PostgresHistory
import Reports
import SQLiteHistory

/// The PostgreSQL history beside SQLite's (issue 13): collection with one and two collector
/// processes against a simulated API with 50 ms latency, the copy of a synthetic history, and the
/// report from each backend. Needs a server: `FPREPORT_TEST_POSTGRES_URL` (and `PGPASSWORD`), as
/// `scripts/with-postgres.sh` sets them.
enum PostgresScenarios {
    static var serverURL: String? { ProcessInfo.processInfo.environment["FPREPORT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }
    static var password: String? { ProcessInfo.processInfo.environment["PGPASSWORD"] }

    static func freshDatabase(_ label: String) async throws -> PostgresAddress {
        guard let serverURL else { throw CocoaError(.featureUnsupported) }
        let name = "fpreport_bench_\(label)_\(getpid())_\(Int(Date().timeIntervalSince1970))"
        return try await PostgresHistoryStore.createDatabase(name, on: try PostgresAddress(parsing: serverURL), password: password)
    }

    static func configuration(baseURL: URL, accounts: Int, database: String, concurrency: Int = 16) -> FPConfiguration {
        var config = FPConfiguration(file: "bench", database: database, reports: .init(directory: "/tmp"))
        config.api.baseURL = baseURL
        config.api.concurrency = concurrency
        config.api.requestsPerMinutePerAccount = 400
        config.accounts = (1...accounts).map { Account(id: String(format: "acc-%05d", $0)) }
        return config
    }

    /// One collection through the job (so PostgreSQL takes its shared-run path, as in production).
    static func collect(_ config: FPConfiguration, store: any HistoryDatabase, asOf: Date) async throws -> CollectionReport {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let key = APIKey(CollectScenarios.key)!
        return try await CollectJob(config: config, keys: { _ in .success(key) }, logger: logger).run(asOf: asOf, store: store)
    }

    /// `pg-collect --base-url U --accounts N --as-of T --database postgresql://…`: one collector of a shared run.
    static func collectPart(baseURL: URL, accounts: Int, asOf: Date, database: String, concurrency: Int, runs: Int) async throws {
        let address = try PostgresAddress(parsing: database)
        let store = try await PostgresHistoryStore.open(address, password: password)
        let config = configuration(baseURL: baseURL, accounts: accounts, database: database, concurrency: concurrency)
        for run in 0..<runs {
            let report = try await collect(config, store: store, asOf: asOf.addingTimeInterval(Double(run) * 3600))
            FileHandle.standardError.write(Data((report.summaryLine + "\n").utf8))
            // Both collectors end the run together (the last waits for the other), so they start the next one together.
        }
    }

    /// Two runs each (the first finds every batch new, the second little changed), at a
    /// concurrency low enough for the 50 ms latency to be the bound on this 2-core machine, where
    /// the simulator, the server and the collectors share the cores.
    static func run(accounts: Int, reportHistory: String?, nights: Int, concurrency: Int, runs: Int) async throws {
        let latency = 50
        let (server, url) = try CollectScenarios.startServer(accounts: accounts, latencyMs: latency)
        defer { server.terminate() }
        let asOf = Date()
        let name = "collect, \(accounts) accounts, \(latency) ms latency, concurrency \(concurrency) a process"
        let ideal = Double(accounts * 5) * Double(latency) / 1000 / Double(concurrency)
        emit(name, "ideal for one process (accounts × 5 × latency / concurrency)", ideal, "s")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fpreport-bench-pg-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func twoRuns(_ store: any HistoryDatabase, _ database: String) async throws -> (first: Double, second: Double) {
            let config = configuration(baseURL: url, accounts: accounts, database: database, concurrency: concurrency)
            let first = try await Measure.run { _ = try await collect(config, store: store, asOf: asOf) }
            guard runs > 1 else { return (first.wall, 0) }
            let second = try await Measure.run { _ = try await collect(config, store: store, asOf: asOf.addingTimeInterval(3600)) }
            return (first.wall, second.wall)
        }
        let sqlitePath = folder.appendingPathComponent("h.sqlite").path
        let alone = try await twoRuns(try SQLiteHistoryStore(path: sqlitePath), sqlitePath)
        emit(name, "SQLite, one process, first run", alone.first, "s")
        if runs > 1 { emit(name, "SQLite, one process, second run", alone.second, "s") }

        let one = try await freshDatabase("one")
        let single = try await twoRuns(try await PostgresHistoryStore.open(one, password: password), one.display)
        emit(name, "PostgreSQL, one process, first run", single.first, "s")
        if runs > 1 { emit(name, "PostgreSQL, one process, second run", single.second, "s") }
        emit(name, "PostgreSQL one process / SQLite, first run", single.first / alone.first, "×", "target ≤ 1.3")
        if runs > 1 { emit(name, "PostgreSQL one process / SQLite, second run", single.second / alone.second, "×", "target ≤ 1.3") }

        let two = try await freshDatabase("two")
        let started = ContinuousClock.now
        let children = try (0..<2).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = [
                "pg-collect", "--base-url", url.absoluteString, "--accounts", String(accounts), "--concurrency", String(concurrency),
                "--runs", String(runs),
                "--as-of", String(Int(asOf.timeIntervalSince1970)), "--database", two.display + "?sslmode=disable",
            ]
            try process.run()
            return process
        }
        for child in children { child.waitUntilExit() }
        let pair = (ContinuousClock.now - started).inSeconds
        let twoStore = try await PostgresHistoryStore.open(two, password: password)
        let recorded = try await twoStore.runs(from: 0, to: .max)
        let progress = try await twoStore.sharedProgress(run: recorded.first?.id ?? 0)
        emit(name, "PostgreSQL, two processes, \(runs) run(s)", pair, "s", "\(recorded.count) runs; the first: \(progress.done) accounts, \(progress.collectors.values.sorted()) by 2 collectors")
        emit(name, "two processes' throughput / one process's", (single.first + single.second) / pair, "×", "target ≥ 1.7")

        guard let reportHistory else { return }
        let copy = try await freshDatabase("report")
        var config = configuration(baseURL: url, accounts: 1, database: reportHistory)
        config.accounts = []
        let migration = try await Measure.run { _ = try await MigrateHistoryJob(config: config, target: copy.display + "?sslmode=disable").run() }
        emit("migrate-history, \(ReportScenario.label(accounts, nights))", "copy into PostgreSQL", migration.wall, "s")
        let copied = try await PostgresHistoryStore.open(copy, password: password)
        try await ReportScenario.run(accounts: accounts, nights: nights, store: copied, backend: ", from PostgreSQL", formats: ReportFormat.allCases)
    }
}
