import FPModel
import HistoryStore
import PostgresNIO

/// Collectors on several hosts sharing one run (SPEC section 3.1): `run_accounts` holds the run's
/// accounts, each pending, claimed (by a collector, until its lease runs out) or done. Claims are
/// taken with `FOR UPDATE SKIP LOCKED`, so collectors never wait for one another, and an account
/// is marked done in the transaction that stores it, only while its claim stands: however leases
/// run out, each account of a run is stored by exactly one collector.
extension PostgresHistoryStore: SharedRunDatabase {
    /// The database's clock in whole seconds: leases never depend on the hosts' clocks agreeing.
    static let serverNow = "EXTRACT(EPOCH FROM clock_timestamp())::bigint"

    public func acquireSharedRunLock(
        holder: String, waitSeconds: Double, waitFor: @escaping @Sendable (String) -> Bool
    ) async throws -> any RunLease {
        try await acquireRunLock(holder: holder, shared: true, waitSeconds: waitSeconds, waitFor: waitFor)
    }

    public func joinRun(_ start: RunStart, accounts: [String]) async throws -> RunID {
        let stale = staleLeaseSeconds
        let display = address.display
        return try await write("cannot join the run") { connection in
            try await connection.run("LOCK TABLE runs IN SHARE ROW EXCLUSIVE MODE")
            let live = try await connection.query(
                "SELECT id, as_of, holder, COALESCE(heartbeat_at, started_at) FROM runs WHERE status = 'running' ORDER BY id",
                logger: Self.quiet)
            var joined: Int64?
            var leases: [(id: Int64, asOf: Int64, holder: String, heartbeat: Int64)] = []
            for try await (id, asOf, holder, heartbeat) in live.decode((Int64, Int64, String?, Int64).self) {
                leases.append((id, asOf, holder ?? "unknown", heartbeat))
            }
            for lease in leases {
                let fresh = start.startedAt - lease.heartbeat < stale
                if lease.asOf == start.asOf && fresh {
                    joined = lease.id
                } else if fresh {
                    throw HistoryStoreError(
                        "another run (\(lease.holder), heartbeat \(start.startedAt - lease.heartbeat) s ago) is collecting",
                        path: display, holder: lease.holder, isLeaseHeld: true)
                } else {
                    try await connection.run("UPDATE runs SET status = 'aborted', finished_at = \(start.startedAt) WHERE id = \(lease.id)")
                }
            }
            // A collector that arrives when the run of its minute is already finished (a small fleet
            // done within the minute, a host whose timer fired late) joins that run as it stands:
            // its accounts were each collected once. Only a collection started later than the
            // minute it names (an explicit --as-of) collects the night again.
            if joined == nil, start.startedAt - start.asOf < 60 {
                joined = try await connection.scalar(
                    "SELECT id FROM runs WHERE as_of = \(start.asOf) AND status = 'finished'", as: Int64.self)
            }
            let run: Int64
            if let joined {
                run = joined
            } else {
                let opened = try await Self.openRun(start, on: connection, display: display)
                // A night collected again: its accounts are all to do once more.
                if opened.reopened { try await connection.run("DELETE FROM run_accounts WHERE run_id = \(opened.id)") }
                run = opened.id
            }
            try await connection.run("""
                INSERT INTO run_accounts (run_id, account_id, state)
                SELECT \(run), id, 'pending' FROM UNNEST(\(accounts)::text[]) AS u(id)
                ON CONFLICT (run_id, account_id) DO NOTHING
                """)
            // Accounts the finished run did not have (a longer list) open it again, to be closed
            // with them counted.
            try await connection.run("""
                UPDATE runs SET status = 'running', finished_at = NULL, heartbeat_at = \(start.startedAt)
                WHERE id = \(run) AND status = 'finished'
                  AND EXISTS (SELECT 1 FROM run_accounts WHERE run_id = \(run) AND state <> 'done')
                """)
            return run
        }
    }

    public func claimAccounts(run: RunID, among: [String], holder: String, limit: Int, leaseSeconds: Int64) async throws -> [String] {
        try await write("cannot claim accounts") { connection in
            let query: PostgresQuery = """
                WITH picked AS (
                    SELECT account_id FROM run_accounts
                    WHERE run_id = \(run) AND state <> 'done' AND account_id = ANY(\(among)::text[])
                      AND (state = 'pending' OR lease_until < \(unescaped: Self.serverNow))
                    ORDER BY state = 'claimed', account_id
                    LIMIT \(Int64(limit))
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE run_accounts r SET state = 'claimed', claimed_by = \(holder), lease_until = \(unescaped: Self.serverNow) + \(leaseSeconds)
                FROM picked WHERE r.run_id = \(run) AND r.account_id = picked.account_id
                RETURNING r.account_id
                """
            var ids: [String] = []
            for try await id in try await connection.query(query, logger: Self.quiet).decode(String.self) { ids.append(id) }
            return ids.sorted()
        }
    }

    public func renewClaims(run: RunID, holder: String, leaseSeconds: Int64, at time: UnixSeconds) async throws {
        try await write("cannot renew the claims") { connection in
            let query: PostgresQuery = """
                UPDATE run_accounts SET lease_until = \(unescaped: Self.serverNow) + \(leaseSeconds)
                WHERE run_id = \(run) AND claimed_by = \(holder) AND state = 'claimed'
                """
            try await connection.run(query)
            try await connection.run("UPDATE runs SET heartbeat_at = \(time) WHERE id = \(run) AND status = 'running'")
        }
    }

    public func releaseClaims(run: RunID, holder: String) async throws {
        try await write("cannot give the claims back") { connection in
            try await connection.run("""
                UPDATE run_accounts SET state = 'pending', claimed_by = NULL, lease_until = NULL
                WHERE run_id = \(run) AND claimed_by = \(holder) AND state = 'claimed'
                """)
        }
    }

    public func record(_ result: AccountFetchResult, run: RunID, claimedBy holder: String) async throws -> AccountWriteSummary? {
        try await write("cannot record account \(result.account.id)") { connection in
            // The claim's row is locked until commit: nobody takes the account over meanwhile.
            let held = try await connection.scalar("""
                UPDATE run_accounts SET state = 'done', lease_until = NULL
                WHERE run_id = \(run) AND account_id = \(result.account.id) AND claimed_by = \(holder) AND state = 'claimed'
                RETURNING account_id
                """, as: String.self)
            guard held != nil else { return nil }
            return try await Self.write(result, run: run, on: connection)
        }
    }

    public func closeShare(run: RunID, finishedAt: UnixSeconds) async throws -> SharedRunProgress {
        try await write("cannot close the run") { connection in
            try await connection.run("SELECT id FROM runs WHERE id = \(run) FOR UPDATE")
            var progress = try await Self.progress(run, on: connection)
            guard !progress.finished, progress.total > 0, progress.done == progress.total else { return progress }
            // The totals of every collector's part, counted from what they stored.
            try await connection.run("""
                UPDATE runs SET status = 'finished', finished_at = \(finishedAt), heartbeat_at = NULL,
                    accounts_total = t.total, accounts_ok = t.ok, accounts_failed = t.total - t.ok,
                    requests = t.requests, retries = t.retries, rate_limited = t.rate_limited, anomalies = t.anomalies,
                    events_written = (SELECT COUNT(*) FROM batch_events e WHERE e.run_id = \(run))
                FROM (
                    SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE outcome = 'ok') AS ok, COALESCE(SUM(requests), 0)::bigint AS requests,
                           COALESCE(SUM(retries), 0)::bigint AS retries, COALESCE(SUM(rate_limited), 0)::bigint AS rate_limited,
                           COALESCE(SUM(anomalies), 0)::bigint AS anomalies
                    FROM account_fetches WHERE run_id = \(run)
                ) AS t
                WHERE runs.id = \(run)
                """)
            progress.finished = true
            return progress
        }
    }

    public func sharedProgress(run: RunID, among accounts: [String]?) async throws -> SharedRunProgress {
        try await read("cannot read the run's progress") { connection in try await Self.progress(run, among: accounts, on: connection) }
    }

    static func progress(_ run: RunID, among accounts: [String]? = nil, on connection: PostgresConnection) async throws -> SharedRunProgress {
        var progress = SharedRunProgress()
        let query: PostgresQuery = """
            SELECT state, claimed_by, (state = 'claimed' AND lease_until < \(unescaped: Self.serverNow)), COUNT(*)
            FROM run_accounts WHERE run_id = \(run) AND (\(accounts == nil) OR account_id = ANY(\(accounts ?? [])::text[]))
            GROUP BY 1, 2, 3
            """
        for try await (state, holder, lapsed, count) in try await connection.query(query, logger: quiet).decode((String, String?, Bool, Int64).self) {
            let count = Int(count)
            progress.total += count
            switch state {
            case "done":
                progress.done += count
                if let holder { progress.collectors[holder, default: 0] += count }
            case "claimed":
                if lapsed { progress.lapsed += count } else { progress.claimed += count }
            default:
                break
            }
        }
        progress.finished = try await connection.scalar("SELECT status = 'finished' FROM runs WHERE id = \(run)", as: Bool.self) ?? false
        return progress
    }
}
