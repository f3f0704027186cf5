import FPConfig
import FPModel
import Foundation
import HistoryBackends
import HistoryStore

/// `fpreport migrate-history`: copies the SQLite history the configuration names into a
/// PostgreSQL database, run by run (each in one transaction), then the batches' current state
/// and the accounts, and checks that every table holds as many rows on both sides.
///
/// Interrupted, it is run again and goes on: runs already copied are skipped, and the batches and
/// accounts (a few statements of bulk rows) are copied again whole. Both histories are locked
/// while it copies, so no collection or prune writes to either meanwhile.
public struct MigrateHistoryJob: Sendable {
    public struct Outcome: Sendable {
        public var copiedRuns = 0
        public var skippedRuns = 0
        public var batches = 0
        /// Rows per table, the same on both sides.
        public var rows: [String: Int] = [:]
    }

    public var config: FPConfiguration
    /// The PostgreSQL address to copy into.
    public var target: String
    /// Batches copied per statement.
    public var batchPage = 20_000

    public init(config: FPConfiguration, target: String) {
        self.config = config
        self.target = target
    }

    public func run(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Outcome {
        guard !HistoryDatabases.isServerAddress(config.database) else {
            throw ConfigError(file: config.file, key: "database", "migrate-history copies a SQLite history, and this one is already on a server")
        }
        guard HistoryDatabases.isServerAddress(target) else {
            throw ConfigError(file: "--to", "expected a postgresql:// address to copy the history into")
        }
        guard FileManager.default.fileExists(atPath: config.database) else {
            throw ConfigError(file: config.database, "no history here to copy")
        }
        let original = try await HistoryDatabases.open(config.database)
        guard let source = original as? any HistoryExporting else {
            throw HistoryStoreError("this history cannot hand out its rows", path: config.database)
        }
        guard let destination = try await HistoryDatabases.open(target, passwordVariable: config.databasePasswordEnv)
            as? any HistoryImporting
        else {
            throw HistoryStoreError("that history cannot take rows")
        }
        let holder = "migrate-history " + CollectJob.holder
        let sourceLock = try await original.acquireRunLock(holder: holder, waitSeconds: 0, waitFor: { _ in false })
        let targetLock = try await destination.acquireRunLock(holder: holder, waitSeconds: 0, waitFor: { _ in false })
        defer { withExtendedLifetime((sourceLock, targetLock)) {} }

        var outcome = Outcome()
        let runs = try await source.storedRuns()
        let present = try await destination.storedRunTimes()
        let foreign = present.subtracting(runs.map(\.asOf))
        guard foreign.isEmpty else {
            throw HistoryStoreError(
                "the target already holds \(foreign.count) run(s) this history does not have; copy into an empty database")
        }
        for (index, run) in runs.enumerated() {
            if present.contains(run.asOf) {
                outcome.skippedRuns += 1
            } else {
                try await destination.importRun(try await source.storedContents(of: run))
                outcome.copiedRuns += 1
            }
            progress(index + 1, runs.count)
        }
        var key: (accountID: String, batchID: String)?
        var first = true
        while true {
            let page = try await source.storedBatches(after: key, limit: batchPage)
            try await destination.importBatches(page, first: first)
            first = false
            outcome.batches += page.count
            guard page.count == batchPage, let last = page.last else { break }
            key = (last.accountID, last.batchID)
        }
        try await destination.importAccounts(try await source.accounts())

        let expected = try await source.tableCounts()
        let copied = try await destination.tableCounts()
        let differing = HistoryTables.all.filter { expected[$0] != copied[$0] }
        guard differing.isEmpty else {
            let detail = differing.map { "\($0): \(expected[$0] ?? 0) here, \(copied[$0] ?? 0) there" }.joined(separator: "; ")
            throw HistoryStoreError("the copy does not match the history (\(detail)); run migrate-history again", path: config.database)
        }
        outcome.rows = copied
        return outcome
    }
}
