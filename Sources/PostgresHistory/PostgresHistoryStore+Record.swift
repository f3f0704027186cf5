import FPModel
import HistoryStore
import PostgresNIO

extension PostgresHistoryStore {
    /// Writes one account's result in one transaction, as the SQLite store does: its fetch row, and
    /// when it succeeded the changes to its batches, their events and its five status counts. Rows
    /// go in as arrays (`UNNEST`), a statement per table, not one per row: a round trip to a
    /// server costs what a whole account's SQLite write does.
    public func record(_ result: AccountFetchResult, run: RunID) async throws -> AccountWriteSummary {
        try await write("cannot record account \(result.account.id)") { connection in
            try await Self.write(result, run: run, on: connection)
        }
    }

    /// One account's result, inside the caller's transaction.
    static func write(_ result: AccountFetchResult, run: RunID, on connection: PostgresConnection) async throws -> AccountWriteSummary {
        guard let observedAt = try await connection.scalar("SELECT as_of FROM runs WHERE id = \(run)", as: Int64.self) else {
            throw HistoryStoreError("run \(run) does not exist")
        }
        try await Self.upsertAccount(connection, result, observedAt: observedAt)
        try await Self.insertFetch(connection, result, run: run, observedAt: observedAt)
        guard result.outcome == .ok else { return AccountWriteSummary() }
        let summary = try await Self.applyObservations(connection, result, run: run, observedAt: observedAt)
        try await Self.insertStatusCounts(connection, result, run: run, observedAt: observedAt)
        return summary
    }

    private static func upsertAccount(_ connection: PostgresConnection, _ result: AccountFetchResult, observedAt: Int64) async throws {
        let success: Int64? = result.outcome == .ok ? observedAt : nil
        try await connection.run("""
            INSERT INTO accounts (id, name, manager, first_collected_at, last_success_at)
            VALUES (\(result.account.id), \(result.account.name), \(result.account.manager), \(success), \(success))
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name,
                manager = excluded.manager,
                first_collected_at = COALESCE(accounts.first_collected_at, excluded.first_collected_at),
                last_success_at = GREATEST(accounts.last_success_at, excluded.last_success_at)
            """)
    }

    /// The account's fetch of this run; a failure never replaces a success of the same run (see
    /// the SQLite store for why).
    private static func insertFetch(_ connection: PostgresConnection, _ result: AccountFetchResult, run: RunID, observedAt: Int64) async throws {
        let status = result.httpStatus.map(Int64.init)
        try await connection.run("""
            INSERT INTO account_fetches (run_id, account_id, observed_at, outcome, http_status, attempts,
                requests, retries, rate_limited, latency_ms, error, batches, anomalies)
            VALUES (\(run), \(result.account.id), \(observedAt), \(result.outcome.rawValue), \(status), \(Int64(result.attempts)),
                \(Int64(result.requests)), \(Int64(result.retries)), \(Int64(result.rateLimited)), \(Int64(result.latencyMillis)),
                \(result.error), \(Int64(result.observations.count)), \(Int64(result.anomalies.count)))
            ON CONFLICT (run_id, account_id) DO UPDATE SET
                observed_at = excluded.observed_at, outcome = excluded.outcome, http_status = excluded.http_status,
                attempts = excluded.attempts, requests = excluded.requests, retries = excluded.retries,
                rate_limited = excluded.rate_limited, latency_ms = excluded.latency_ms, error = excluded.error,
                batches = excluded.batches, anomalies = excluded.anomalies
            WHERE excluded.outcome = 'ok' OR account_fetches.outcome <> 'ok'
            """)
    }

    /// Compares the observations with the stored state and writes only what changed, with the
    /// same rules (and so the same events) as the SQLite store.
    private static func applyObservations(
        _ connection: PostgresConnection, _ result: AccountFetchResult, run: RunID, observedAt: Int64
    ) async throws -> AccountWriteSummary {
        let accountID = result.account.id
        var stored: [String: BatchChange.Stored] = [:]
        let rows = try await connection.query(
            "SELECT batch_id, status, progress, present FROM batches WHERE account_id = \(accountID)", logger: quiet)
        for try await (batchID, status, progress, present) in rows.decode((String, String, Int64, Bool).self) {
            stored[batchID] = BatchChange.Stored(status: BatchStatus(rawValue: status) ?? .pending, progress: Int(progress), present: present)
        }

        var events = EventColumns()
        var changed = BatchColumns()
        var summary = AccountWriteSummary()
        for observation in result.observations {
            summary.batchesCompared += 1
            guard let (kind, gain) = BatchChange.event(for: observation, previous: stored.removeValue(forKey: observation.batchID)) else {
                continue
            }
            let status = observation.status
            changed.append(observation.batchID, status, observation.progress)
            events.append(observation.batchID, kind, status, observation.progress, gain)
        }
        var gone: [String] = []
        for (batchID, previous) in stored.sorted(by: { $0.key < $1.key }) where previous.present {
            gone.append(batchID)
            events.append(batchID, .disappeared, previous.status, previous.progress, nil)
        }

        if !changed.ids.isEmpty {
            // New batches are inserted; seen ones take the SQLite store's update rules.
            try await connection.run("""
                INSERT INTO batches AS b (account_id, batch_id, status, progress, present, first_seen_at, status_since,
                    last_progress_change_at, terminal_at, last_seen_run, last_event_at)
                SELECT \(accountID), u.batch_id, u.status, u.progress, TRUE, \(observedAt), \(observedAt), \(observedAt),
                       CASE WHEN u.status IN ('completed', 'failed', 'stopped') THEN \(observedAt) END, \(run), \(observedAt)
                FROM UNNEST(\(changed.ids)::text[], \(changed.statuses)::text[], \(changed.progress)::bigint[]) AS u(batch_id, status, progress)
                ON CONFLICT (account_id, batch_id) DO UPDATE SET
                    status = excluded.status, progress = excluded.progress, present = TRUE,
                    status_since = CASE WHEN b.status <> excluded.status THEN \(observedAt) ELSE b.status_since END,
                    last_progress_change_at = CASE WHEN b.progress <> excluded.progress OR b.status <> excluded.status
                                                   THEN \(observedAt) ELSE b.last_progress_change_at END,
                    terminal_at = CASE WHEN excluded.status IN ('completed', 'failed', 'stopped') AND b.status <> excluded.status THEN \(observedAt)
                                       WHEN excluded.status IN ('completed', 'failed', 'stopped') THEN b.terminal_at
                                       ELSE NULL END,
                    last_seen_run = excluded.last_seen_run, last_event_at = excluded.last_event_at
                """)
        }
        if !gone.isEmpty {
            try await connection.run(
                """
                UPDATE batches SET present = FALSE, last_event_at = \(observedAt)
                WHERE account_id = \(accountID) AND batch_id = ANY(\(gone)::text[])
                """)
        }
        if !events.ids.isEmpty {
            // WITH ORDINALITY keeps the rows in the order they were made, so event ids follow it as in SQLite.
            try await connection.run("""
                INSERT INTO batch_events (account_id, batch_id, run_id, observed_at, kind, status, progress, gain)
                SELECT \(accountID), u.batch_id, \(run), \(observedAt), u.kind, u.status, u.progress,
                       CASE WHEN u.has_gain THEN u.gain END
                FROM UNNEST(\(events.ids)::text[], \(events.kinds)::text[], \(events.statuses)::text[], \(events.progress)::bigint[],
                            \(events.gains)::bigint[], \(events.hasGain)::boolean[])
                     WITH ORDINALITY AS u(batch_id, kind, status, progress, gain, has_gain, position)
                ORDER BY u.position
                """)
        }
        summary.eventsWritten = events.ids.count
        // Unchanged batches were seen too: one statement for all of them.
        try await connection.run(
            "UPDATE batches SET last_seen_run = \(run) WHERE account_id = \(accountID) AND present AND last_seen_run <> \(run)")
        return summary
    }

    private static func insertStatusCounts(_ connection: PostgresConnection, _ result: AccountFetchResult, run: RunID, observedAt: Int64) async throws {
        var counts: [BatchStatus: (count: Int, sum: Int)] = [:]
        for observation in result.observations {
            counts[observation.status, default: (0, 0)].count += 1
            counts[observation.status, default: (0, 0)].sum += observation.progress
        }
        let statuses = BatchStatus.allCases.map(\.rawValue)
        let batchCounts = BatchStatus.allCases.map { Int64(counts[$0]?.count ?? 0) }
        let sums = BatchStatus.allCases.map { Int64(counts[$0]?.sum ?? 0) }
        try await connection.run("""
            INSERT INTO run_status_counts (run_id, account_id, status, observed_at, batch_count, progress_sum)
            SELECT \(run), \(result.account.id), u.status, \(observedAt), u.batch_count, u.progress_sum
            FROM UNNEST(\(statuses)::text[], \(batchCounts)::bigint[], \(sums)::bigint[]) AS u(status, batch_count, progress_sum)
            ON CONFLICT (run_id, account_id, status) DO UPDATE SET
                observed_at = excluded.observed_at, batch_count = excluded.batch_count, progress_sum = excluded.progress_sum
            """)
    }

    /// Rows of changed batches, as the column arrays `UNNEST` takes.
    private struct BatchColumns {
        var ids: [String] = []
        var statuses: [String] = []
        var progress: [Int64] = []

        mutating func append(_ id: String, _ status: BatchStatus, _ value: Int) {
            ids.append(id)
            statuses.append(status.rawValue)
            progress.append(Int64(value))
        }
    }

    /// Rows of new events, as column arrays; a missing gain is `has_gain = false` (arrays of
    /// optionals do not bind).
    private struct EventColumns {
        var ids: [String] = []
        var kinds: [String] = []
        var statuses: [String] = []
        var progress: [Int64] = []
        var gains: [Int64] = []
        var hasGain: [Bool] = []

        mutating func append(_ id: String, _ kind: BatchEventKind, _ status: BatchStatus, _ value: Int, _ gain: Int?) {
            ids.append(id)
            kinds.append(kind.rawValue)
            statuses.append(status.rawValue)
            progress.append(Int64(value))
            gains.append(Int64(gain ?? 0))
            hasGain.append(gain != nil)
        }
    }
}
