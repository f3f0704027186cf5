import FPModel
import HistoryStore
import PostgresNIO

/// Taking a history's rows as stored (`fpreport migrate-history`), ids included, in bulk.
extension PostgresHistoryStore: HistoryImporting {
    public func storedRunTimes() async throws -> Set<UnixSeconds> {
        try await read("cannot read runs") { connection in
            var times = Set<UnixSeconds>()
            for try await asOf in try await connection.query("SELECT as_of FROM runs", logger: Self.quiet).decode(Int64.self) {
                times.insert(asOf)
            }
            return times
        }
    }

    public func importRun(_ contents: StoredRunContents) async throws {
        let run = contents.run
        try await write("cannot copy run \(run.id)") { connection in
            let t = run.totals
            try await connection.run("""
                INSERT INTO runs (id, as_of, started_at, finished_at, status, accounts_total, accounts_ok, accounts_failed, requests,
                    retries, rate_limited, events_written, anomalies, tool_version, config_digest, holder, heartbeat_at)
                VALUES (\(run.id), \(run.asOf), \(run.startedAt), \(run.finishedAt), \(run.status), \(Int64(t.accountsTotal)),
                    \(Int64(t.accountsOK)), \(Int64(t.accountsFailed)), \(Int64(t.requests)), \(Int64(t.retries)), \(Int64(t.rateLimited)),
                    \(Int64(t.eventsWritten)), \(Int64(t.anomalies)), \(run.toolVersion), \(run.configDigest), \(run.holder), \(run.heartbeatAt))
                """)
            let fetches = contents.fetches
            if !fetches.isEmpty {
                try await connection.run("""
                    INSERT INTO account_fetches (run_id, account_id, observed_at, outcome, http_status, attempts, requests, retries,
                        rate_limited, latency_ms, error, batches, anomalies)
                    SELECT \(run.id), u.account, u.observed, u.outcome, NULLIF(u.http, -1), u.attempts, u.requests, u.retries, u.limited,
                           u.latency, CASE WHEN u.has_error THEN u.error END, u.batches, u.anomalies
                    FROM UNNEST(\(fetches.map(\.fetch.accountID))::text[], \(fetches.map(\.fetch.observedAt))::bigint[],
                                \(fetches.map(\.fetch.outcome.rawValue))::text[], \(fetches.map { Int64($0.fetch.httpStatus ?? -1) })::bigint[],
                                \(fetches.map { Int64($0.fetch.attempts) })::bigint[], \(fetches.map { Int64($0.fetch.requests) })::bigint[],
                                \(fetches.map { Int64($0.fetch.retries) })::bigint[], \(fetches.map { Int64($0.fetch.rateLimited) })::bigint[],
                                \(fetches.map { Int64($0.fetch.latencyMillis) })::bigint[], \(fetches.map { $0.fetch.error ?? "" })::text[],
                                \(fetches.map { $0.fetch.error != nil })::boolean[], \(fetches.map { Int64($0.batches) })::bigint[],
                                \(fetches.map { Int64($0.fetch.anomalies) })::bigint[])
                         AS u(account, observed, outcome, http, attempts, requests, retries, limited, latency, error, has_error, batches, anomalies)
                    """)
            }
            let events = contents.events
            if !events.isEmpty {
                try await connection.run("""
                    INSERT INTO batch_events (id, account_id, batch_id, run_id, observed_at, kind, status, progress, gain)
                    SELECT u.id, u.account, u.batch, \(run.id), u.observed, u.kind, u.status, u.progress, CASE WHEN u.has_gain THEN u.gain END
                    FROM UNNEST(\(events.map(\.id))::bigint[], \(events.map(\.event.accountID))::text[], \(events.map(\.event.batchID))::text[],
                                \(events.map(\.event.observedAt))::bigint[], \(events.map(\.event.kind.rawValue))::text[],
                                \(events.map(\.event.status.rawValue))::text[], \(events.map { Int64($0.event.progress) })::bigint[],
                                \(events.map { Int64($0.gain ?? 0) })::bigint[], \(events.map { $0.gain != nil })::boolean[])
                         AS u(id, account, batch, observed, kind, status, progress, gain, has_gain)
                    """)
            }
            let counts = contents.counts
            if !counts.isEmpty {
                try await connection.run("""
                    INSERT INTO run_status_counts (run_id, account_id, status, observed_at, batch_count, progress_sum)
                    SELECT \(run.id), u.account, u.status, u.observed, u.count, u.sum
                    FROM UNNEST(\(counts.map(\.accountID))::text[], \(counts.map(\.status.rawValue))::text[],
                                \(counts.map(\.observedAt))::bigint[], \(counts.map { Int64($0.count) })::bigint[],
                                \(counts.map { Int64($0.progressSum) })::bigint[]) AS u(account, status, observed, count, sum)
                    """)
            }
        }
    }

    public func importBatches(_ batches: [LedgerBatch], first: Bool) async throws {
        try await write("cannot copy batches") { connection in
            if first { try await connection.run("DELETE FROM batches") }
            guard !batches.isEmpty else { return }
            try await connection.run("""
                INSERT INTO batches (account_id, batch_id, status, progress, present, first_seen_at, status_since,
                    last_progress_change_at, terminal_at, last_seen_run, last_event_at)
                SELECT u.account, u.batch, u.status, u.progress, u.present, u.first_seen, u.since, u.changed,
                       CASE WHEN u.terminal >= 0 THEN u.terminal END, u.last_run,
                       -- The runs, with their events, are copied first: the time of an open batch's
                       -- latest event is there to read (the ledger does not carry it).
                       CASE WHEN u.status IN ('pending', 'in_progress') THEN (
                           SELECT MAX(e.observed_at) FROM batch_events e WHERE e.account_id = u.account AND e.batch_id = u.batch)
                       END
                FROM UNNEST(\(batches.map(\.accountID))::text[], \(batches.map(\.batchID))::text[], \(batches.map(\.status.rawValue))::text[],
                            \(batches.map { Int64($0.progress) })::bigint[], \(batches.map(\.present))::boolean[],
                            \(batches.map(\.firstSeenAt))::bigint[], \(batches.map(\.statusSince))::bigint[],
                            \(batches.map(\.lastProgressChangeAt))::bigint[], \(batches.map { $0.terminalAt ?? -1 })::bigint[],
                            \(batches.map(\.lastSeenRun))::bigint[])
                     AS u(account, batch, status, progress, present, first_seen, since, changed, terminal, last_run)
                """)
        }
    }

    public func importAccounts(_ accounts: [AccountRecord]) async throws {
        try await write("cannot copy accounts") { connection in
            try await connection.run("DELETE FROM accounts")
            if !accounts.isEmpty {
                try await connection.run("""
                    INSERT INTO accounts (id, name, manager, first_collected_at, last_success_at)
                    SELECT u.id, u.name, u.manager, CASE WHEN u.first >= 0 THEN u.first END, CASE WHEN u.last >= 0 THEN u.last END
                    FROM UNNEST(\(accounts.map(\.id))::text[], \(accounts.map(\.name))::text[], \(accounts.map(\.manager))::text[],
                                \(accounts.map { $0.firstCollectedAt ?? -1 })::bigint[], \(accounts.map { $0.lastSuccessAt ?? -1 })::bigint[])
                         AS u(id, name, manager, first, last)
                    """)
            }
            // New runs and events continue after the copied ids.
            try await connection.run("SELECT setval(pg_get_serial_sequence('runs', 'id'), COALESCE((SELECT MAX(id) FROM runs), 0) + 1, false)")
            try await connection.run(
                "SELECT setval(pg_get_serial_sequence('batch_events', 'id'), COALESCE((SELECT MAX(id) FROM batch_events), 0) + 1, false)")
        }
    }

    public func tableCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in HistoryTables.all { counts[table] = try await rowCount(table) }
        return counts
    }
}
