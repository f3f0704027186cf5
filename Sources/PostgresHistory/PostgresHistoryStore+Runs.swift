import FPModel
import HistoryStore
import PostgresNIO

extension PostgresHistoryStore {
    public func beginRun(_ start: RunStart) async throws -> RunID {
        try await beginRun(start, force: false)
    }

    /// Opens the run at `start.asOf`; `force` takes the lease from a live run. The `runs` table is
    /// locked for the decision, so two hosts starting at once see one another's run.
    public func beginRun(_ start: RunStart, force: Bool) async throws -> RunID {
        let stale = staleLeaseSeconds
        let display = address.display
        return try await write("cannot start a run") { connection in
            try await connection.run("LOCK TABLE runs IN SHARE ROW EXCLUSIVE MODE")
            let live = try await connection.query(
                "SELECT id, holder, COALESCE(heartbeat_at, started_at) FROM runs WHERE status = 'running' ORDER BY id", logger: Self.quiet)
            var leases: [(id: Int64, holder: String, heartbeat: Int64)] = []
            for try await (id, holder, heartbeat) in live.decode((Int64, String?, Int64).self) {
                leases.append((id, holder ?? "unknown", heartbeat))
            }
            for lease in leases {
                if !force && start.startedAt - lease.heartbeat < stale {
                    throw HistoryStoreError(
                        "another run (\(lease.holder), heartbeat \(start.startedAt - lease.heartbeat) s ago) is collecting",
                        path: display, holder: lease.holder, isLeaseHeld: true)
                }
                try await connection.run("UPDATE runs SET status = 'aborted', finished_at = \(start.startedAt) WHERE id = \(lease.id)")
            }
            return try await Self.openRun(start, on: connection, display: display).id
        }
    }

    /// Opens the run at `start.asOf` inside the caller's transaction (the `runs` table locked):
    /// the run already recorded at that time, reopened (`reopened`), or a new one. History only
    /// moves forward: an `as_of` before the latest run's is refused.
    static func openRun(_ start: RunStart, on connection: PostgresConnection, display: String) async throws -> (id: RunID, reopened: Bool) {
        if let latest = try await connection.scalar("SELECT MAX(as_of) FROM runs", as: Int64.self), start.asOf < latest {
            throw HistoryStoreError(
                "as_of \(start.asOf) is earlier than the latest run (\(latest)); history only moves forward", path: display)
        }
        if let existing = try await connection.scalar("SELECT id FROM runs WHERE as_of = \(start.asOf)", as: Int64.self) {
            try await connection.run("""
                UPDATE runs SET status = 'running', started_at = \(start.startedAt), finished_at = NULL, holder = \(start.holder),
                    heartbeat_at = \(start.startedAt), tool_version = \(start.toolVersion), config_digest = \(start.configDigest)
                WHERE id = \(existing)
                """)
            return (existing, true)
        }
        let id = try await connection.scalar("""
            INSERT INTO runs (as_of, started_at, status, tool_version, config_digest, holder, heartbeat_at)
            VALUES (\(start.asOf), \(start.startedAt), 'running', \(start.toolVersion), \(start.configDigest), \(start.holder),
                    \(start.startedAt))
            RETURNING id
            """, as: Int64.self)
        guard let id else { throw HistoryStoreError("the server returned no run id", path: display) }
        return (id, false)
    }

    public func unhealthyAccounts(failedRuns runs: Int) async throws -> [String] {
        let count = Int64(runs)
        return try await read("cannot read account health") { connection in
            var ids: [String] = []
            let rows = try await connection.query("""
                SELECT account_id FROM (
                    SELECT account_id, outcome,
                           ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY observed_at DESC) AS recency
                    FROM account_fetches
                ) AS recent
                WHERE recency <= \(count) GROUP BY account_id
                HAVING COUNT(*) = \(count) AND COUNT(*) FILTER (WHERE outcome = 'ok') = 0
                ORDER BY account_id
                """, logger: Self.quiet)
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    /// The SQLite store's invariants, checked with the same queries.
    public func consistencyProblems() async throws -> [String] {
        try await read("cannot check the history") { connection in
            var problems: [String] = []
            let partial = try await connection.scalar("""
                SELECT COUNT(*) FROM account_fetches f WHERE f.outcome = 'ok'
                  AND (SELECT COUNT(*) FROM run_status_counts c WHERE c.run_id = f.run_id AND c.account_id = f.account_id) <> 5
                """, as: Int64.self) ?? 0
            if partial > 0 { problems.append("\(partial) successful fetch(es) without exactly five status counts") }
            let orphans = try await connection.scalar("""
                SELECT COUNT(*) FROM run_status_counts c WHERE NOT EXISTS (
                    SELECT 1 FROM account_fetches f WHERE f.run_id = c.run_id AND f.account_id = c.account_id AND f.outcome = 'ok')
                """, as: Int64.self) ?? 0
            if orphans > 0 { problems.append("\(orphans) status count(s) without a successful fetch") }
            let unseen = try await connection.scalar("""
                SELECT COUNT(*) FROM batches b WHERE NOT EXISTS (
                    SELECT 1 FROM batch_events e WHERE e.account_id = b.account_id AND e.batch_id = b.batch_id AND e.kind = 'first_seen')
                """, as: Int64.self) ?? 0
            if unseen > 0 { problems.append("\(unseen) batch(es) without a first_seen event") }
            // The night reads an open batch's state from its row (v6): it must be its latest event.
            let stale = try await connection.scalar("""
                SELECT COUNT(*) FROM batches b
                WHERE b.status IN ('pending', 'in_progress') AND b.present AND NOT EXISTS (
                    SELECT 1 FROM batch_events e WHERE e.account_id = b.account_id AND e.batch_id = b.batch_id
                      AND e.observed_at = b.last_event_at AND e.status = b.status AND e.progress = b.progress)
                """, as: Int64.self) ?? 0
            if stale > 0 { problems.append("\(stale) open batch(es) whose row is not their latest event") }
            return problems
        }
    }

    public func liveRuns() async throws -> [LiveRun] {
        try await read("cannot read runs") { connection in
            var runs: [LiveRun] = []
            let rows = try await connection.query("SELECT id, holder FROM runs WHERE status = 'running' ORDER BY id", logger: Self.quiet)
            for try await (id, holder) in rows.decode((Int64, String?).self) { runs.append(LiveRun(id: id, holder: holder ?? "unknown")) }
            return runs
        }
    }

    public func heartbeat(run: RunID, at time: UnixSeconds) async throws {
        try await write("cannot renew the run lease") { connection in
            try await connection.run("UPDATE runs SET heartbeat_at = \(time) WHERE id = \(run)")
        }
    }

    public func finishRun(_ run: RunID, state: RunState, totals: RunTotals, finishedAt: UnixSeconds) async throws {
        try await write("cannot finish the run") { connection in
            try await connection.run("""
                UPDATE runs SET status = \(state.rawValue), finished_at = \(finishedAt), accounts_total = \(Int64(totals.accountsTotal)),
                    accounts_ok = \(Int64(totals.accountsOK)), accounts_failed = \(Int64(totals.accountsFailed)),
                    requests = \(Int64(totals.requests)), retries = \(Int64(totals.retries)), rate_limited = \(Int64(totals.rateLimited)),
                    events_written = \(Int64(totals.eventsWritten)), anomalies = \(Int64(totals.anomalies)), heartbeat_at = NULL
                WHERE id = \(run)
                """)
        }
    }
}
