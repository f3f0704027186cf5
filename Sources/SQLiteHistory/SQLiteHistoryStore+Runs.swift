import FPModel
import GRDB
import HistoryStore

extension SQLiteHistoryStore {
    public func beginRun(_ start: RunStart) async throws -> RunID {
        try await beginRun(start, force: false)
    }

    /// Opens the run at `start.asOf`; `force` takes the lease from a live run.
    public func beginRun(_ start: RunStart, force: Bool) async throws -> RunID {
        let stale = staleLeaseSeconds
        let path = path
        return try await write("cannot start a run") { db in
            let live = try Row.fetchAll(
                db, sql: "SELECT id, holder, heartbeat_at, started_at FROM runs WHERE status = 'running'")
            for row in live {
                let heartbeat: Int64 = row["heartbeat_at"] ?? row["started_at"]
                let holder: String = row["holder"] ?? "unknown"
                if !force && start.startedAt - heartbeat < stale {
                    throw HistoryStoreError(
                        "another run (\(holder), heartbeat \(start.startedAt - heartbeat) s ago) is collecting",
                        path: path, holder: holder, isLeaseHeld: true)
                }
                try db.execute(
                    sql: "UPDATE runs SET status = 'aborted', finished_at = ? WHERE id = ?",
                    arguments: [start.startedAt, row["id"] as Int64])
            }
            if let latest = try Int64.fetchOne(db, sql: "SELECT MAX(as_of) FROM runs"), start.asOf < latest {
                throw HistoryStoreError(
                    "as_of \(start.asOf) is earlier than the latest run (\(latest)); history only moves forward",
                    path: path)
            }
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE as_of = ?", arguments: [start.asOf]) {
                try db.execute(
                    sql: """
                        UPDATE runs SET status = 'running', started_at = ?, finished_at = NULL, holder = ?,
                            heartbeat_at = ?, tool_version = ?, config_digest = ? WHERE id = ?
                        """,
                    arguments: [start.startedAt, start.holder, start.startedAt, start.toolVersion, start.configDigest, existing])
                return existing
            }
            try db.execute(
                sql: """
                    INSERT INTO runs (as_of, started_at, status, tool_version, config_digest, holder, heartbeat_at)
                    VALUES (?, ?, 'running', ?, ?, ?, ?)
                    """,
                arguments: [start.asOf, start.startedAt, start.toolVersion, start.configDigest, start.holder, start.startedAt])
            return db.lastInsertedRowID
        }
    }

    public func unhealthyAccounts(failedRuns runs: Int) async throws -> [String] {
        try await read("cannot read account health") { db in
            try String.fetchAll(db, sql: """
                SELECT account_id FROM (
                    SELECT account_id, outcome,
                           ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY observed_at DESC) AS recency
                    FROM account_fetches
                )
                WHERE recency <= ?1 GROUP BY account_id
                HAVING COUNT(*) = ?1 AND SUM(outcome = 'ok') = 0
                ORDER BY account_id
                """, arguments: [runs])
        }
    }

    /// Broken invariants of the history, in words; empty when it is whole. An account is written
    /// in one transaction, so after any crash: every successful fetch has its five status counts,
    /// no status counts exist without a successful fetch, every batch has a first sighting, and
    /// every open batch's row agrees with its latest event.
    public func consistencyProblems() async throws -> [String] {
        try await read("cannot check the history") { db in
            var problems: [String] = []
            let partial = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM account_fetches f WHERE f.outcome = 'ok'
                  AND (SELECT COUNT(*) FROM run_status_counts c WHERE c.run_id = f.run_id AND c.account_id = f.account_id) <> 5
                """) ?? 0
            if partial > 0 { problems.append("\(partial) successful fetch(es) without exactly five status counts") }
            let orphans = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM run_status_counts c WHERE NOT EXISTS (
                    SELECT 1 FROM account_fetches f WHERE f.run_id = c.run_id AND f.account_id = c.account_id AND f.outcome = 'ok')
                """) ?? 0
            if orphans > 0 { problems.append("\(orphans) status count(s) without a successful fetch") }
            let unseen = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM batches b WHERE NOT EXISTS (
                    SELECT 1 FROM batch_events e WHERE e.account_id = b.account_id AND e.batch_id = b.batch_id AND e.kind = 'first_seen')
                """) ?? 0
            if unseen > 0 { problems.append("\(unseen) batch(es) without a first_seen event") }
            // The night reads an open batch's state from its row (v6): it must be its latest event.
            let stale = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM batches b INDEXED BY batches_open_state
                WHERE b.status IN ('pending', 'in_progress') AND b.present = 1 AND NOT EXISTS (
                    SELECT 1 FROM batch_events e WHERE e.account_id = b.account_id AND e.batch_id = b.batch_id
                      AND e.observed_at = b.last_event_at AND e.status = b.status AND e.progress = b.progress)
                """) ?? 0
            if stale > 0 { problems.append("\(stale) open batch(es) whose row is not their latest event") }
            return problems
        }
    }

    /// Runs the database still marks as running, with their holders.
    public func liveRuns() async throws -> [LiveRun] {
        try await read("cannot read runs") { db in
            try Row.fetchAll(db, sql: "SELECT id, holder FROM runs WHERE status = 'running' ORDER BY id").map {
                LiveRun(id: $0[0], holder: ($0[1] as String?) ?? "unknown")
            }
        }
    }

    public func heartbeat(run: RunID, at time: UnixSeconds) async throws {
        try await write("cannot renew the run lease") { db in
            try db.execute(sql: "UPDATE runs SET heartbeat_at = ? WHERE id = ?", arguments: [time, run])
        }
    }

    public func finishRun(_ run: RunID, state: RunState, totals: RunTotals, finishedAt: UnixSeconds) async throws {
        try await write("cannot finish the run") { db in
            try db.execute(
                sql: """
                    UPDATE runs SET status = ?, finished_at = ?, accounts_total = ?, accounts_ok = ?,
                        accounts_failed = ?, requests = ?, retries = ?, rate_limited = ?, events_written = ?,
                        anomalies = ?, heartbeat_at = NULL
                    WHERE id = ?
                    """,
                arguments: [
                    state.rawValue, finishedAt, totals.accountsTotal, totals.accountsOK, totals.accountsFailed,
                    totals.requests, totals.retries, totals.rateLimited, totals.eventsWritten, totals.anomalies, run,
                ])
        }
    }
}
