import APISimulator
import Collector
import FPConfig
import FPModel
import FPReportJobs
import FPTestSupport
import Foundation
import HistoryStore
import SQLiteHistory
import Logging
import Reports
import Testing

/// `nightly` end to end across a daylight-saving night, changing accounts, a missing night and prune.
@Suite struct NightlyTests {
    static let secret = "sk_nightly_test"
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    struct World {
        let server: SimulatorServer
        let folder: TemporaryDirectory
        let store: SQLiteHistoryStore

        func config(_ accounts: [String]) -> FPConfiguration {
            var config = FPConfiguration(
                file: "(test)", database: folder.path("history.sqlite"),
                reports: .init(directory: folder.path("Reports"), timezone: NightlyTests.berlin))
            config.api.baseURL = server.baseURL
            config.accounts = accounts.map { Account(id: $0, name: "Name \($0)", manager: "M") }
            return config
        }

        func collectJob(_ accounts: [String]) -> CollectJob {
            let key = APIKey(NightlyTests.secret)!
            return CollectJob(config: config(accounts), keys: { _ in .success(key) }, logger: Logger(label: "test"))
        }

        /// A collection at `iso` (the simulator's clock moves there too).
        func collect(_ accounts: [String], at iso: String) async throws {
            let at = ISO8601.parse(iso)!
            await server.state.set(to: at)
            var job = collectJob(accounts)
            job.now = { at }
            _ = try await job.run(asOf: at, store: store)
        }

        /// `nightly` as cron would run it at `iso`.
        func nightly(_ accounts: [String], at iso: String) async throws -> NightlyJob.Outcome {
            let at = ISO8601.parse(iso)!
            await server.state.set(to: at)
            var job = NightlyJob(collect: collectJob(accounts))
            job.now = { at }
            return try await job.run(store: store)
        }

        func read(_ path: String) throws -> String { try String(contentsOfFile: folder.path(path), encoding: .utf8) }
    }

    func world() async throws -> World {
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(
            accounts: 4, seed: 12, apiKey: Self.secret, start: ISO8601.parse("2026-10-20T00:00:00Z")!))
        let folder = try TemporaryDirectory()
        return World(server: server, folder: folder, store: try SQLiteHistoryStore(path: folder.path("history.sqlite")))
    }

    @Test func acrossTheDaylightSavingNightWithAnAddedAndARemovedAccount() async throws {
        let w = try await world()
        defer { w.folder.remove() }
        let first = ["acc-0001", "acc-0002", "acc-0003"]
        let second = ["acc-0001", "acc-0002", "acc-0004"]
        // Saturday 24 October: collections through the day, nightly after midnight (CEST).
        for time in ["2026-10-24T04:00:00Z", "2026-10-24T10:00:00Z", "2026-10-24T16:00:00Z"] {
            try await w.collect(first, at: time)
        }
        let saturday = try await w.nightly(first, at: "2026-10-24T22:30:00Z")
        #expect(saturday.published.window.date == "2026-10-24")
        #expect(saturday.published.window.hours == 24)

        // Sunday 25 October has 25 hours in Berlin; acc-0003 left the configuration, acc-0004 joined.
        for time in ["2026-10-25T04:00:00Z", "2026-10-25T10:00:00Z", "2026-10-25T16:00:00Z"] {
            try await w.collect(second, at: time)
        }
        let sunday = try await w.nightly(second, at: "2026-10-25T23:30:00Z")
        #expect(sunday.published.window.date == "2026-10-25")
        #expect(sunday.published.window.hours == 25)
        #expect(sunday.collection?.totals.accountsOK == 3)

        let summary = try w.read("Reports/2026-10-25/csv/summary.csv")
        #expect(summary.contains("window_start,2026-10-25T00:00:00+02:00,"))
        #expect(summary.contains("window_end,2026-10-26T00:00:00+01:00,"))
        let accounts = try w.read("Reports/2026-10-25/csv/accounts.csv")
        #expect(accounts.contains(",acc-0004,"))
        // acc-0003 was still collected in this window (by the nightly run at 00:30), so it is reported.
        #expect(accounts.contains(",acc-0003,"))
        // A newcomer's first collection is its baseline: nothing "entered" a status because of it.
        let newcomer = try #require(accounts.components(separatedBy: "\r\n").first { $0.contains(",acc-0004,") })
        let fields = newcomer.components(separatedBy: ",")
        #expect(fields[10] == "0" && fields[11] == "0" && fields[12] == "0", "\(newcomer)")
        // The night before still lists acc-0003.
        #expect(try w.read("Reports/2026-10-24/csv/accounts.csv").contains(",acc-0003,"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: w.folder.path("Reports/latest")) == "2026-10-25")

        // Safe to run twice: the same night again gives the same report.
        let before = try w.read("Reports/2026-10-25/csv/accounts.csv")
        _ = try await w.nightly(second, at: "2026-10-25T23:30:00Z")
        #expect(try w.read("Reports/2026-10-25/csv/accounts.csv") == before)

        // Monday: acc-0003 has no fetch in the window and is no longer configured, so it drops out.
        try await w.collect(second, at: "2026-10-26T10:00:00Z")
        _ = try await w.nightly(second, at: "2026-10-26T23:30:00Z")
        let monday = try w.read("Reports/2026-10-26/csv/accounts.csv")
        #expect(!monday.contains(",acc-0003,"))
        #expect(monday.contains(",acc-0004,"))
        await w.server.stop()
    }

    @Test func aNightWithoutARunIsAGapAndBackfillWorks() async throws {
        let w = try await world()
        defer { w.folder.remove() }
        let accounts = ["acc-0001", "acc-0002"]
        try await w.collect(accounts, at: "2026-10-21T10:00:00Z")
        try await w.collect(accounts, at: "2026-10-23T10:00:00Z")
        // Backfill the 22nd, which had no run, without collecting.
        var job = NightlyJob(collect: w.collectJob(accounts))
        job.now = { ISO8601.parse("2026-10-24T01:00:00Z")! }
        let outcome = try await job.run(date: "2026-10-22", store: w.store)
        #expect(outcome.collection == nil)
        let summary = try w.read("Reports/2026-10-22/csv/summary.csv")
        #expect(summary.contains("runs_in_window,0,"))
        #expect(summary.contains("failure_rate,,fraction"))
        let daily = try w.read("Reports/2026-10-22/csv/daily.csv")
        #expect(daily.contains("2026-10-22,fleet,,0,,,"))
        #expect(daily.contains("2026-10-21,fleet,,1,"))
        #expect(try w.read("Reports/2026-10-22/index.html").contains("No collection ran in this window."))
        await w.server.stop()
    }

    /// Prune takes the run lock as collect does: it never deletes under a running night, and a
    /// collection finding a prune at work waits for it instead of giving up the night.
    @Test func pruneAndCollectShareTheRunLock() async throws {
        let w = try await world()
        defer { w.folder.remove() }
        let config = w.config(["acc-0001"])
        // While a collection holds the lock, a prune that may not wait gives up (exit 75)
        do {
            let collecting = try RunLock(databasePath: config.database, holder: "host:1")
            var prune = PruneJob(config: config, keepDays: 1, dryRun: false)
            prune.waitSeconds = 0.3
            await #expect(throws: HistoryStoreError.self) { _ = try await prune.run(store: w.store) }
            withExtendedLifetime(collecting) {}
        }
        // A lock held by a prune is waited for by the next taker that waits for prunes...
        // (taken here, before the waiter starts, so the waiter cannot take it first under load).
        var pruning: RunLock? = try RunLock(databasePath: config.database, holder: RunLockHolder.prunePrefix + "host:2")
        let release = Task { [pruning] in
            try await Task.sleep(for: .milliseconds(400))
            withExtendedLifetime(pruning) {}
        }
        pruning = nil  // the task's copy is the last: the lock goes when it ends
        let next = try await RunLock.acquire(
            databasePath: config.database, holder: "host:3", waitSeconds: 30, waitFor: { $0.hasPrefix(RunLockHolder.prunePrefix) })
        try await release.value
        // ...and one held by a collection is not
        await #expect(throws: HistoryStoreError.self) {
            _ = try await RunLock.acquire(
                databasePath: config.database, holder: "host:4", waitSeconds: 30, waitFor: { $0.hasPrefix(RunLockHolder.prunePrefix) })
        }
        withExtendedLifetime(next) {}
    }

    @Test func pruneKeepsWhatTheLatestReportNeeds() async throws {
        let w = try await world()
        defer { w.folder.remove() }
        let accounts = ["acc-0001", "acc-0002", "acc-0003"]
        for day in 20...27 {
            for hour in ["01", "03", "05", "09", "13", "17", "21"] { try await w.collect(accounts, at: "2026-10-\(day)T\(hour):00:00Z") }
        }
        var config = w.config(accounts)
        config.reports.keepNights = 2
        for date in ["2026-10-25", "2026-10-26", "2026-10-27"] {
            _ = try await ReportJob(config: config).run(date: date, store: w.store)
        }
        let latestBefore = try w.read("Reports/latest/csv/accounts.csv")
        let batchesBefore = try w.read("Reports/latest/csv/batches.csv")

        // Pruning to one day "from the year 2027" may not touch what latest (the 27th) needs.
        var prune = PruneJob(config: config, keepDays: 1, dryRun: true)
        prune.now = { ISO8601.parse("2027-01-01T00:00:00Z")! }
        let dry = try await prune.run(store: w.store)
        #expect(dry.reportFolders == ["2026-10-25"])
        #expect(FileManager.default.fileExists(atPath: w.folder.path("Reports/2026-10-25")))
        prune.dryRun = false
        let done = try await prune.run(store: w.store)
        #expect(done.history == dry.history)
        #expect(!FileManager.default.fileExists(atPath: w.folder.path("Reports/2026-10-25")))
        #expect(FileManager.default.fileExists(atPath: w.folder.path("Reports/2026-10-27")))
        #expect(try await w.store.integrityCheck() == "ok")

        _ = try await ReportJob(config: config).run(date: "2026-10-27", store: w.store)
        #expect(try w.read("Reports/latest/csv/accounts.csv") == latestBefore)
        #expect(try w.read("Reports/latest/csv/batches.csv") == batchesBefore)

        // With a cutoff right before the night, older changes go but the night's figures and the
        // state of every batch stay exactly as they were.
        let pruned = try await w.store.prune(before: ISO8601.parse("2026-10-26T23:00:00Z")!.unixSeconds, dryRun: false)
        #expect(pruned.events > 0)
        #expect(pruned.fetches > 0)
        _ = try await ReportJob(config: config).run(date: "2026-10-27", store: w.store)
        #expect(try w.read("Reports/latest/csv/batches.csv") == batchesBefore)
        #expect(try w.read("Reports/latest/csv/accounts.csv") == latestBefore)
        await w.server.stop()
    }
}
