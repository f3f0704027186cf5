import APISimulator
import Collector
import FPModel
import FPTestSupport
import Foundation
import HistoryStore
import Logging
import PostgresNIO
import SQLiteHistory
import Testing

@testable import PostgresHistory

/// Collectors on several hosts sharing one run in PostgreSQL (SPEC section 3.1), through the real
/// binary. They run only when `FPREPORT_TEST_POSTGRES_URL` names a server (`make test` starts one).
@Suite(.serialized) struct SharedRunTests {
    static let secret = "sk_shared_run_test_key"
    static let serverURL = ProcessInfo.processInfo.environment["FPREPORT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let password = ProcessInfo.processInfo.environment["PGPASSWORD"] ?? ""
    static let servers: [String] = serverURL.map { [$0] } ?? []

    /// An empty database of its own on the test server, as a `database:` address.
    static func freshDatabase(_ url: String) async throws -> (address: PostgresAddress, url: String) {
        let name = "fpreport_e2e_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        let address = try await PostgresHistoryStore.createDatabase(name, on: try PostgresAddress(parsing: url), password: password)
        return (address, url.replacingOccurrences(of: "/postgres?", with: "/\(name)?"))
    }

    func config(_ folder: TemporaryDirectory, _ server: SimulatorServer, database: String, name: String) throws -> String {
        let list = server.world.accountIDs.enumerated().map { "  - {id: \($1), manager: M\($0 % 2)}" }.joined(separator: "\n")
        return try folder.write("""
            api: {base_url: \(server.baseURL.absoluteString), concurrency: 2, timeout_seconds: 10}
            database: "\(database)"
            shared_run: {chunk_size: 4, lease_seconds: 4}
            reports: {directory: out-\(name), timezone: UTC}
            accounts:
            \(list)
            """, to: "\(name).yaml")
    }

    /// Three collectors, one killed with SIGKILL while it holds claims: its accounts are taken
    /// over once its lease runs out, every account is stored by exactly one collector, the run
    /// finishes, the history is consistent, and its tables are those of one SQLite collection of
    /// the same answers.
    @Test(arguments: servers)
    func threeCollectorsShareARunAndOutliveOneKilled(_ url: String) async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(
            accounts: 60, seed: 5, apiKey: Self.secret, latencyMillis: 20))
        // A frozen clock: every collection of this test gets the same answers.
        await server.state.set(to: server.configuration.start.addingTimeInterval(5 * 86_400))
        let (address, databaseURL) = try await Self.freshDatabase(url)
        let shared = try config(folder, server, database: databaseURL, name: "shared")
        let env = ["FIRSTPROMOTER_API_KEY": Self.secret, "PGPASSWORD": Self.password]
        let asOf = "2026-11-06T03:00:00Z"

        // The simulator answers 60 requests, then holds the rest: the three are mid-run, with claims.
        let before = await server.state.snapshot().requests
        await server.state.hold(after: before + 60)
        let logs = (0..<3).map { folder.url.appendingPathComponent("collector-\($0).log") }
        let collectors = try (0..<3).map { index in
            try CommandRunner.launch(["collect", "--config", shared, "--as-of", asOf], environment: env, log: logs[index])
        }
        let store = try await PostgresHistoryStore.open(address, password: Self.password)
        let victim = collectors[0]
        let victimName = "\(ProcessInfo.processInfo.hostName):\(victim.processIdentifier)"
        func claims(of holder: String) async throws -> (claimed: Int, done: Int) {
            let progress = try await store.read("test") { connection in
                var claimed = 0
                var done = 0
                let rows = try await connection.query(
                    "SELECT state, COUNT(*) FROM run_accounts WHERE claimed_by = \(holder) GROUP BY state", logger: PostgresHistoryStore.quiet)
                for try await (state, count) in rows.decode((String, Int64).self) {
                    if state == "claimed" { claimed = Int(count) } else if state == "done" { done = Int(count) }
                }
                return (claimed, done)
            }
            return progress
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let reached = await server.state.snapshot().requests > before + 60
            if reached, try await claims(of: victimName).claimed > 0 { break }
            try #require(ContinuousClock.now < deadline, "the collectors never reached the held requests")
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(victim.processIdentifier, SIGKILL)
        _ = await CommandRunner.wait(victim)
        #expect(victim.terminationReason == .uncaughtSignal)
        // The kill landed mid-run: the victim held claims it never finished, and the run is open.
        let held = try await claims(of: victimName)
        #expect(held.claimed > 0)
        let run = try #require(try await store.runs(from: 0, to: .max).last)
        #expect(run.state == "running")
        // The password is in no process's command line (only in its environment).
        for survivor in collectors.dropFirst() {
            let command = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(survivor.processIdentifier)/cmdline"))
            #expect(!String(decoding: command, as: UTF8.self).contains(Self.password))
            #expect(String(decoding: command, as: UTF8.self).contains("collect"))
        }
        await server.state.release()

        for (index, survivor) in collectors.enumerated().dropFirst() {
            #expect(await CommandRunner.wait(survivor) == 0, "\((try? String(contentsOf: logs[index], encoding: .utf8)) ?? "")")
        }
        // Every account stored once, by one collector; the victim's unfinished claims went to the others.
        let progress = try await store.sharedProgress(run: run.id)
        #expect(progress.total == 60 && progress.done == 60 && progress.finished)
        #expect(progress.collectors.values.reduce(0, +) == 60)
        #expect((progress.collectors[victimName] ?? 0) == held.done)
        #expect(progress.collectors.count >= 2)
        #expect(try await store.fetches(from: 0, to: .max).count == 60)
        #expect(try await store.consistencyProblems() == [])
        let finished = try #require(try await store.runs(from: 0, to: .max).last)
        #expect(finished.state == "finished" && finished.accountsTotal == 60 && finished.accountsOK == 60)
        // Each survivor says what it did and how the run as a whole stands; no log holds the password.
        for log in logs.dropFirst() {
            let text = try String(contentsOf: log, encoding: .utf8)
            #expect(text.contains("shared run: 60 of 60 accounts done"), "\(text)")
            #expect(!text.contains(Self.password))
        }

        // The same answers collected by one process into SQLite give the same tables.
        let alone = try config(folder, server, database: "history.sqlite", name: "alone")
        let single = try await CommandRunner.run(["collect", "--config", alone, "--as-of", asOf], environment: env)
        #expect(single.status == 0, "\(single.stderr)")
        for name in ["shared", "alone"] {
            let report = try await CommandRunner.run(
                ["report", "--config", folder.path("\(name).yaml"), "--as-of", "2026-11-06", "--formats", "csv"], environment: env)
            #expect(report.status == 0, "\(report.stderr)")
            #expect(!report.stdout.contains(Self.password) && !report.stderr.contains(Self.password))
        }
        for table in ["accounts", "statuses", "daily", "batches"] {
            let fromPostgres = try Data(contentsOf: folder.url.appendingPathComponent("out-shared/2026-11-06/csv/\(table).csv"))
            let fromSQLite = try Data(contentsOf: folder.url.appendingPathComponent("out-alone/2026-11-06/csv/\(table).csv"))
            #expect(fromPostgres == fromSQLite, "\(table).csv differs")
            #expect(fromPostgres.count > 100)
        }
        await server.stop()
    }

    /// A SQLite history moved with `migrate-history` builds the same report, byte for byte, in
    /// every format; run again, the copy goes on with what is new; a foreign database is refused.
    @Test(arguments: servers)
    func aMovedHistoryGivesTheSameReportInEveryFormat(_ url: String) async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(
            accounts: 12, seed: 8, apiKey: Self.secret, latencyMillis: 1, churn: true))
        await server.state.set(to: server.configuration.start.addingTimeInterval(4 * 86_400))
        let env = ["FIRSTPROMOTER_API_KEY": Self.secret, "PGPASSWORD": Self.password]
        let alone = try config(folder, server, database: "history.sqlite", name: "alone")
        func collect(_ hours: Range<Int>) async throws {
            for hour in hours {
                let run = try await CommandRunner.run(
                    ["collect", "--config", alone, "--as-of", String(format: "2026-11-05T%02d:00:00Z", hour)], environment: env)
                #expect(run.status == 0, "\(run.stderr)")
                await server.state.advance(by: 3 * 3600)
            }
        }
        try await collect(0..<4)
        let (address, databaseURL) = try await Self.freshDatabase(url)
        let first = try await CommandRunner.run(["migrate-history", "--config", alone, "--to", databaseURL], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("copied 4 run(s) (0 already there)"), "\(first.stdout)")
        // More nights, then the copy again: only what is new is copied, and it checks out.
        try await collect(4..<8)
        let second = try await CommandRunner.run(["migrate-history", "--config", alone, "--to", databaseURL], environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("copied 4 run(s) (4 already there)"), "\(second.stdout)")
        #expect(!(first.stdout + first.stderr + second.stdout + second.stderr).contains(Self.password))

        let moved = try config(folder, server, database: databaseURL, name: "moved")
        for name in ["alone", "moved"] {
            let report = try await CommandRunner.run(["report", "--config", folder.path("\(name).yaml"), "--as-of", "2026-11-05"], environment: env)
            #expect(report.status == 0, "\(report.stderr)")
        }
        let expected = try folder.files(under: "out-alone/2026-11-05")
        let actual = try folder.files(under: "out-moved/2026-11-05")
        #expect(expected.keys.contains("report.xlsx") && expected.keys.contains("index.html") && expected.count > 20)
        #expect(Set(actual.keys) == Set(expected.keys))
        for (file, bytes) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(actual[file] == bytes, "\(file) differs")
            #expect(bytes.range(of: Data(Self.password.utf8)) == nil, "\(file) holds the password")
        }
        // The moved history goes on: a collection into it continues its run ids.
        let next = try await CommandRunner.run(["collect", "--config", moved, "--as-of", "2026-11-06T03:00:00Z"], environment: env)
        #expect(next.status == 0, "\(next.stderr)")
        let store = try await PostgresHistoryStore.open(address, password: Self.password)
        #expect(try await store.runs(from: 0, to: .max).map(\.id) == Array(1...9))
        #expect(try await store.consistencyProblems() == [])
        // A database holding another history is not mixed into.
        let otherConfig = try config(folder, server, database: "other.sqlite", name: "other")
        let otherRun = try await CommandRunner.run(["collect", "--config", otherConfig, "--as-of", "2026-11-07T03:00:00Z"], environment: env)
        #expect(otherRun.status == 0, "\(otherRun.stderr)")
        let other = try await CommandRunner.run(["migrate-history", "--config", otherConfig, "--to", databaseURL], environment: env)
        #expect(other.status != 0)
        #expect(other.stderr.contains("already holds 9 run(s) this history does not have"), "\(other.stderr)")
        await server.stop()
    }

    /// `nightly` on one host joins the run of the collectors on the others, waits until every
    /// account is done, taking over those of a collector that died, and only then reports.
    /// `check-config` connects to the database server and says how its history stands, changing
    /// nothing, and never takes the address for a folder (it used to make one called `postgresql:`).
    @Test(arguments: servers)
    func checkConfigConnectsToTheServerAndChangesNothing(_ url: String) async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(accounts: 4, seed: 2, apiKey: Self.secret))
        defer { Task { await server.stop() } }
        let (address, databaseURL) = try await Self.freshDatabase(url)
        let config = try config(folder, server, database: databaseURL, name: "check")
        let env = ["FIRSTPROMOTER_API_KEY": Self.secret, "PGPASSWORD": Self.password]

        let empty = try await CommandRunner.run(["check-config", "--config", config], environment: env, directory: folder.url)
        #expect(empty.status == 0, "\(empty.stdout)")
        #expect(empty.stdout.contains("ok   database: \(address.display) (PostgreSQL "))
        #expect(empty.stdout.contains("no history yet"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("postgresql:")))
        // Nothing was made on the server.
        let connection = try await PostgresConnection.connect(
            configuration: try address.connectionConfiguration(password: Self.password), id: 1, logger: Logger(label: "test"))
        let tables = try await connection.query("SELECT COUNT(*)::bigint FROM pg_tables WHERE schemaname = 'public'", logger: Logger(label: "test"))
            .decode(Int64.self).reduce(0, +)
        try await connection.close()
        #expect(tables == 0)
        _ = try await PostgresHistoryStore.open(address, password: Self.password)
        let current = try await CommandRunner.run(["check-config", "--config", config], environment: env, directory: folder.url)
        #expect(current.stdout.contains("the history's schema is up to date"), "\(current.stdout)")

        let wrongPassword = try await CommandRunner.run(
            ["check-config", "--config", config], environment: env.merging(["PGPASSWORD": "not-the-password"]) { $1 }, directory: folder.url)
        #expect(wrongPassword.status == 64)
        #expect(wrongPassword.stdout.contains("FAIL database: "))
        #expect(wrongPassword.stdout.contains("database_password_env"))
        #expect(!wrongPassword.stdout.contains("not-the-password") && !wrongPassword.stderr.contains("not-the-password"))
    }

    @Test(arguments: servers)
    func nightlyWaitsForTheSharedRunThenReports(_ url: String) async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(
            accounts: 30, seed: 6, apiKey: Self.secret, latencyMillis: 20))
        await server.state.set(to: server.configuration.start.addingTimeInterval(5 * 86_400))
        let (address, databaseURL) = try await Self.freshDatabase(url)
        let shared = try config(folder, server, database: databaseURL, name: "shared")
        let env = ["FIRSTPROMOTER_API_KEY": Self.secret, "PGPASSWORD": Self.password]
        // Without --as-of both name the current minute: start them well inside one.
        while Calendar(identifier: .gregorian).component(.second, from: Date()) > 40 { try await Task.sleep(for: .milliseconds(200)) }
        let before = await server.state.snapshot().requests
        await server.state.hold(after: before + 30)
        let helper = try CommandRunner.launch(["collect", "--config", shared], environment: env, log: folder.url.appendingPathComponent("helper.log"))
        let nightlyLog = folder.url.appendingPathComponent("nightly.log")
        let nightly = try CommandRunner.launch(["nightly", "--config", shared, "--formats", "csv"], environment: env, log: nightlyLog)
        let store = try await PostgresHistoryStore.open(address, password: Self.password)
        let helperName = "\(ProcessInfo.processInfo.hostName):\(helper.processIdentifier)"
        // The helper dies while it holds claims on accounts it never stores.
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let held = try await store.read("test") { connection in
                try await connection.scalar(
                    "SELECT COUNT(*) FROM run_accounts WHERE claimed_by = \(helperName) AND state = 'claimed'", as: Int64.self) ?? 0
            }
            if await server.state.snapshot().requests > before + 30, held > 0 { break }
            try #require(ContinuousClock.now < deadline, "the helper never held claims")
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(helper.processIdentifier, SIGKILL)
        _ = await CommandRunner.wait(helper)
        #expect(try await store.runs(from: 0, to: .max).count == 1, "the helper and nightly joined one run")
        await server.state.release()
        let status = await CommandRunner.wait(nightly)
        let log = try String(contentsOf: nightlyLog, encoding: .utf8)
        #expect(status == 0, "\(log)")
        // Nightly ended only once the run was: every account done, the helper's taken over.
        let run = try #require(try await store.runs(from: 0, to: .max).last)
        #expect(run.state == "finished" && run.accountsTotal == 30)
        let progress = try await store.sharedProgress(run: run.id)
        #expect(progress.done == 30 && progress.finished)
        #expect(log.contains("shared run: 30 of 30 accounts done"), "\(log)")
        #expect(FileManager.default.fileExists(atPath: folder.path("out-shared/latest/csv/accounts.csv")))
        await server.stop()
    }

    /// A collector whose account list is shorter than a dead peer's takes over the peer's claims on
    /// its own accounts and then stops: the claims on accounts only the peer's list names are not
    /// its to wait for (it could never take them), so it ends well before its deadline, and the
    /// run stays unfinished with exactly those accounts left.
    @Test(arguments: servers)
    func aCollectorStopsWhenOnlyAccountsItCannotTakeAreLeft(_ url: String) async throws {
        let (address, _) = try await Self.freshDatabase(url)
        let store = try await PostgresHistoryStore.open(address, password: Self.password)
        let wide = (1...6).map { Account(id: "w\($0)", name: "W\($0)", manager: "M") }
        let start = RunStart(asOf: 1_800_000_000, startedAt: 1_800_000_000, toolVersion: "t", configDigest: "d", holder: "peer")
        // The peer joins with all six, claims them with a short lease, and dies.
        let run = try await store.joinRun(start, accounts: wide.map(\.id))
        #expect(try await store.claimAccounts(run: run, among: wide.map(\.id), holder: "peer", limit: 6, leaseSeconds: 2).count == 6)

        let deadline = Date().addingTimeInterval(60)
        let survivor = SharedRun(
            database: store, accounts: Array(wide.prefix(4)), holder: "survivor", chunkSize: 2, leaseSeconds: 30, pollSeconds: 0.2,
            deadline: deadline)
        #expect(try await survivor.beginRun(start) == run)
        var handedOut: [String] = []
        while let account = try await survivor.next() {
            handedOut.append(account.id)
            _ = try await survivor.record(AccountFetchResult(account: account, outcome: .ok, httpStatus: 200, requests: 1), run: run)
        }
        #expect(Date() < deadline, "stopped before its deadline")
        #expect(await survivor.lostClaims == 0)
        #expect(handedOut.sorted() == ["w1", "w2", "w3", "w4"], "its own accounts, taken over")
        try await survivor.finishRun(run, state: .finished, totals: RunTotals(), finishedAt: 1_800_000_100)
        let progress = try await store.sharedProgress(run: run)
        #expect(progress.done == 4 && progress.lapsed == 2 && !progress.finished)
        #expect(progress.collectors == ["survivor": 4])
        #expect(await survivor.leftOutsideList == 2, "the two only the dead peer's list names")
    }
}
