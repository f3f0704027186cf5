import FPModel
import GRDB
import HistoryStore

/// The history's rows as stored, for `fpreport migrate-history`.
extension SQLiteHistoryStore: HistoryExporting {
    public func storedRuns() async throws -> [StoredRun] {
        try await read("cannot read runs") { db in
            try Row.fetchAll(db, sql: """
                SELECT id, as_of, started_at, finished_at, status, accounts_total, accounts_ok, accounts_failed, requests, retries,
                       rate_limited, events_written, anomalies, tool_version, config_digest, holder, heartbeat_at
                FROM runs ORDER BY as_of
                """).map { row in
                var totals = RunTotals()
                totals.accountsTotal = row[5]
                totals.accountsOK = row[6]
                totals.accountsFailed = row[7]
                totals.requests = row[8]
                totals.retries = row[9]
                totals.rateLimited = row[10]
                totals.eventsWritten = row[11]
                totals.anomalies = row[12]
                return StoredRun(
                    id: row[0], asOf: row[1], startedAt: row[2], finishedAt: row[3], status: row[4], totals: totals,
                    toolVersion: row[13], configDigest: row[14], holder: row[15], heartbeatAt: row[16])
            }
        }
    }

    public func storedContents(of run: StoredRun) async throws -> StoredRunContents {
        try await read("cannot read run \(run.id)") { db in
            var contents = StoredRunContents(run: run)
            for row in try Row.fetchAll(db, sql: """
                SELECT run_id, account_id, observed_at, outcome, http_status, attempts, requests, retries, rate_limited,
                       latency_ms, error, anomalies, batches
                FROM account_fetches WHERE run_id = ? ORDER BY account_id
                """, arguments: [run.id]) {
                guard let outcome = FetchOutcome(rawValue: row[3]) else {
                    throw HistoryStoreError("run \(run.id), account \(row[1] as String): unknown fetch outcome \(row[3] as String)")
                }
                contents.fetches.append(StoredFetch(fetch: FetchRecord(
                    runID: row[0], accountID: row[1], observedAt: row[2], outcome: outcome, httpStatus: row[4], attempts: row[5],
                    requests: row[6], retries: row[7], rateLimited: row[8], latencyMillis: row[9], error: row[10], anomalies: row[11]),
                    batches: row[12]))
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT id, account_id, batch_id, run_id, observed_at, kind, status, progress, gain FROM batch_events
                WHERE run_id = ? ORDER BY id
                """, arguments: [run.id]) {
                guard let kind = BatchEventKind(rawValue: row[5]), let status = BatchStatus(rawValue: row[6]) else {
                    throw HistoryStoreError("event \(row[0] as Int64): unknown kind or status")
                }
                contents.events.append(StoredEvent(id: row[0], event: BatchEventRecord(
                    accountID: row[1], batchID: row[2], runID: row[3], observedAt: row[4], kind: kind, status: status, progress: row[7]),
                    gain: row[8]))
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT account_id, status, observed_at, batch_count, progress_sum FROM run_status_counts
                WHERE run_id = ? ORDER BY account_id, status
                """, arguments: [run.id]) {
                guard let status = BatchStatus(rawValue: row[1]) else { throw HistoryStoreError("run \(run.id): unknown status in counts") }
                contents.counts.append((row[0], status, row[2], row[3], row[4]))
            }
            return contents
        }
    }

    public func storedBatches(after key: (accountID: String, batchID: String)?, limit: Int) async throws -> [LedgerBatch] {
        try await read("cannot read batches") { db in
            try Row.fetchAll(db, sql: """
                SELECT account_id, batch_id, status, progress, present, first_seen_at, status_since,
                       last_progress_change_at, terminal_at, last_seen_run
                FROM batches WHERE (account_id, batch_id) > (?, ?) ORDER BY account_id, batch_id LIMIT ?
                """, arguments: [key?.accountID ?? "", key?.batchID ?? "", limit]).map { row in
                guard let status = BatchStatus(rawValue: row[2]) else {
                    throw HistoryStoreError("batch \(row[0] as String)/\(row[1] as String): unknown status \(row[2] as String)")
                }
                return LedgerBatch(
                    accountID: row[0], batchID: row[1], status: status, progress: row[3], present: row[4], firstSeenAt: row[5],
                    statusSince: row[6], lastProgressChangeAt: row[7], terminalAt: row[8], lastSeenRun: row[9])
            }
        }
    }

    public func tableCounts() async throws -> [String: Int] {
        try await read("cannot count rows") { db in
            var counts: [String: Int] = [:]
            for table in HistoryTables.all {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }
}
