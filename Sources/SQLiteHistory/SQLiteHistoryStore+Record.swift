import FPModel
import GRDB
import HistoryStore

extension SQLiteHistoryStore {
    /// Writes one account's result in one transaction: its fetch row, and when it succeeded the
    /// changes to its batches, their events, and its five status counts.
    public func record(_ result: AccountFetchResult, run: RunID) async throws -> AccountWriteSummary {
        try await write("cannot record account \(result.account.id)") { db in
            let observedAt = try Int64.fetchOne(
                db, sql: "SELECT as_of FROM runs WHERE id = ?", arguments: [run])
            guard let observedAt else { throw HistoryStoreError("run \(run) does not exist") }
            try Self.upsertAccount(db, result, observedAt: observedAt)
            try Self.insertFetch(db, result, run: run, observedAt: observedAt)
            guard result.outcome == .ok else { return AccountWriteSummary() }
            let summary = try Self.applyObservations(db, result, run: run, observedAt: observedAt)
            try Self.insertStatusCounts(db, result, run: run, observedAt: observedAt)
            return summary
        }
    }

    private static func upsertAccount(_ db: Database, _ result: AccountFetchResult, observedAt: Int64) throws {
        let success: Int64? = result.outcome == .ok ? observedAt : nil
        try db.cachedStatement(sql: """
            INSERT INTO accounts (id, name, manager, first_collected_at, last_success_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name,
                manager = excluded.manager,
                first_collected_at = COALESCE(accounts.first_collected_at, excluded.first_collected_at),
                last_success_at = COALESCE(MAX(accounts.last_success_at, excluded.last_success_at),
                                           accounts.last_success_at, excluded.last_success_at)
            """).execute(arguments: [result.account.id, result.account.name, result.account.manager, success, success])
    }

    /// The account's fetch of this run. Re-running a night (same `as_of`) replaces it, except that
    /// a failure never replaces a success of the same run: that success's counts, events and batch
    /// states are the account's state at that time (SPEC section 3), and a fetch row saying
    /// "failed" beside them would contradict them.
    private static func insertFetch(_ db: Database, _ result: AccountFetchResult, run: RunID, observedAt: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO account_fetches (run_id, account_id, observed_at, outcome, http_status, attempts,
                requests, retries, rate_limited, latency_ms, error, batches, anomalies)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id, account_id) DO UPDATE SET
                observed_at = excluded.observed_at, outcome = excluded.outcome, http_status = excluded.http_status,
                attempts = excluded.attempts, requests = excluded.requests, retries = excluded.retries,
                rate_limited = excluded.rate_limited, latency_ms = excluded.latency_ms, error = excluded.error,
                batches = excluded.batches, anomalies = excluded.anomalies
            WHERE excluded.outcome = 'ok' OR account_fetches.outcome <> 'ok'
            """).execute(arguments: [
                run, result.account.id, observedAt, result.outcome.rawValue, result.httpStatus, result.attempts,
                result.requests, result.retries, result.rateLimited, result.latencyMillis, result.error, result.observations.count,
                result.anomalies.count,
            ])
    }

    /// Compares the observations with the stored state and writes only what changed.
    private static func applyObservations(
        _ db: Database, _ result: AccountFetchResult, run: RunID, observedAt: Int64
    ) throws -> AccountWriteSummary {
        let accountID = result.account.id
        var stored: [String: BatchChange.Stored] = [:]
        let cursor = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT batch_id, status, progress, present FROM batches WHERE account_id = ?"),
            arguments: [accountID])
        while let row = try cursor.next() {
            let status = BatchStatus(rawValue: row[1]) ?? .pending
            stored[row[0]] = BatchChange.Stored(status: status, progress: row[2], present: row[3])
        }

        let insertEvent = try db.cachedStatement(sql: """
            INSERT INTO batch_events (account_id, batch_id, run_id, observed_at, kind, status, progress, gain)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertBatch = try db.cachedStatement(sql: """
            INSERT INTO batches (account_id, batch_id, status, progress, present, first_seen_at, status_since,
                last_progress_change_at, terminal_at, last_seen_run, last_event_at)
            VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?5, ?6, ?7, ?5)
            """)
        let updateBatch = try db.cachedStatement(sql: """
            UPDATE batches SET
                status = ?3, progress = ?4, present = 1,
                status_since = CASE WHEN status <> ?3 THEN ?5 ELSE status_since END,
                last_progress_change_at = CASE WHEN progress <> ?4 OR status <> ?3 THEN ?5 ELSE last_progress_change_at END,
                terminal_at = CASE WHEN ?6 AND status <> ?3 THEN ?5 WHEN ?6 THEN terminal_at ELSE NULL END,
                last_seen_run = ?7, last_event_at = ?5
            WHERE account_id = ?1 AND batch_id = ?2
            """)

        var summary = AccountWriteSummary()
        for observation in result.observations {
            summary.batchesCompared += 1
            let status = observation.status
            let previous = stored.removeValue(forKey: observation.batchID)
            guard let (kind, gain) = BatchChange.event(for: observation, previous: previous) else { continue }
            if previous != nil {
                try updateBatch.execute(arguments: [
                    accountID, observation.batchID, status.rawValue, observation.progress, observedAt,
                    status.isTerminal, run,
                ])
            } else {
                try insertBatch.execute(arguments: [
                    accountID, observation.batchID, status.rawValue, observation.progress, observedAt,
                    status.isTerminal ? observedAt : nil, run,
                ])
            }
            try insertEvent.execute(arguments: [
                accountID, observation.batchID, run, observedAt, kind.rawValue, status.rawValue, observation.progress, gain,
            ])
            summary.eventsWritten += 1
        }

        // What is left was stored but not returned this time.
        let markGone = try db.cachedStatement(
            sql: "UPDATE batches SET present = 0, last_event_at = ? WHERE account_id = ? AND batch_id = ?")
        for (batchID, previous) in stored.sorted(by: { $0.key < $1.key }) where previous.present {
            try markGone.execute(arguments: [observedAt, accountID, batchID])
            try insertEvent.execute(arguments: [
                accountID, batchID, run, observedAt, BatchEventKind.disappeared.rawValue, previous.status.rawValue,
                previous.progress, nil,
            ])
            summary.eventsWritten += 1
        }
        // Unchanged batches were seen too: one statement for all of them.
        try db.cachedStatement(sql: "UPDATE batches SET last_seen_run = ? WHERE account_id = ? AND present = 1")
            .execute(arguments: [run, accountID])
        return summary
    }

    private static func insertStatusCounts(_ db: Database, _ result: AccountFetchResult, run: RunID, observedAt: Int64) throws {
        var counts: [BatchStatus: (count: Int, sum: Int)] = [:]
        for observation in result.observations {
            counts[observation.status, default: (0, 0)].count += 1
            counts[observation.status, default: (0, 0)].sum += observation.progress
        }
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO run_status_counts (run_id, account_id, status, observed_at, batch_count, progress_sum)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for status in BatchStatus.allCases {
            let value = counts[status] ?? (0, 0)
            try statement.execute(arguments: [run, result.account.id, status.rawValue, observedAt, value.count, value.sum])
        }
    }
}
