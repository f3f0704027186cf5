import FPModel
import GRDB
import GRDBSQLite
import HistoryStore

/// The queries that feed metrics: plain values out, SQL kept here beside the schema.
extension SQLiteHistoryStore {
    public func accounts() async throws -> [AccountRecord] {
        try await read("cannot read accounts") { db in
            try Row.fetchAll(db, sql: """
                SELECT id, name, manager, first_collected_at, last_success_at FROM accounts ORDER BY id
                """).map {
                AccountRecord(
                    id: $0[0], name: $0[1], manager: $0[2], firstCollectedAt: $0[3], lastSuccessAt: $0[4])
            }
        }
    }

    public func runs(from start: UnixSeconds, to end: UnixSeconds) async throws -> [RunRecord] {
        try await read("cannot read runs") { db in try Self.runs(db, from: start, to: end) }
    }

    static func runs(_ db: Database, from start: UnixSeconds, to end: UnixSeconds) throws -> [RunRecord] {
        try Row.fetchAll(db, sql: runColumns + "WHERE as_of >= ? AND as_of < ? ORDER BY as_of", arguments: [start, end]).map(runRecord)
    }

    static let runColumns = """
        SELECT id, as_of, started_at, finished_at, status, accounts_total, accounts_ok, accounts_failed, tool_version FROM runs\u{20}
        """

    static func runRecord(_ row: Row) -> RunRecord {
        RunRecord(
            id: row[0], asOf: row[1], startedAt: row[2], finishedAt: row[3], state: row[4], accountsTotal: row[5],
            accountsOK: row[6], accountsFailed: row[7], toolVersion: row[8])
    }

    /// Groups rows of `(account_id, observed_at, status, batch_count)`, one fetch's rows together,
    /// into one record per fetch. Read through the C API: a month of counts is 1.5 M rows at
    /// 10,000 accounts, and making an account id and a status string per row, to compare one and
    /// switch on the other, was a fifth of reading them.
    static func groupCounts(_ db: Database, sql: String, arguments: StatementArguments, _ body: (AccountStatusCounts) -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        let handle = statement.sqliteStatement
        var current: AccountStatusCounts?
        while try rows.next() != nil {
            let observedAt = sqlite3_column_int64(handle, 1)
            let account = SQLiteText(handle, column: 0)
            if current == nil || current!.observedAt != observedAt || !account.equals(current!.accountID) {
                current.map(body)
                current = AccountStatusCounts(accountID: account.string, observedAt: observedAt, counts: StatusCounts())
            }
            guard let status = SQLiteText(handle, column: 2).status else { continue }
            current!.counts[status] = Int(sqlite3_column_int64(handle, 3))
        }
        current.map(body)
    }

    /// Runs `sql` and folds its decodable rows into a state made inside the read (so a large state is
    /// never copied); rows that do not decode (an unknown status, say) are skipped.
    func reduce<State: Sendable, Record>(
        _ what: String, sql: String, arguments: StatementArguments, into initial: @escaping @Sendable () -> State,
        decode: @escaping @Sendable (Row) -> Record?, _ update: @escaping @Sendable (inout State, Record) -> Void
    ) async throws -> State {
        try await read(what) { db in
            var state = initial()
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                if let record = decode(row) { update(&state, record) }
            }
            return state
        }
    }

    public func statusCounts(atOrBefore time: UnixSeconds) async throws -> [AccountStatusCounts] {
        try await read("cannot read status counts") { db in
            // Each account's latest successful fetch, one probe of the covering index each (every
            // account ever fetched is in accounts), then its counts by primary key. Grouping every
            // fetch to find them grew with the history: 0.6 s at 10,000 accounts × 180 nights.
            var result: [AccountStatusCounts] = []
            try Self.groupCounts(db, sql: """
                SELECT c.account_id, c.observed_at, c.status, c.batch_count
                FROM accounts a
                JOIN run_status_counts c ON c.account_id = a.id AND c.run_id = (
                    SELECT f.run_id FROM account_fetches f
                    WHERE f.account_id = a.id AND f.outcome = 'ok' AND f.observed_at <= ?
                    ORDER BY f.observed_at DESC LIMIT 1)
                ORDER BY a.id
                """, arguments: [time]) { result.append($0) }
            return result
        }
    }

    public func reduceEvents<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, BatchEventRecord) -> Void
    ) async throws -> State {
        try await reduce("cannot read batch events", sql: """
            SELECT account_id, batch_id, run_id, observed_at, kind, status, progress FROM batch_events
            WHERE observed_at >= ? AND observed_at < ? ORDER BY observed_at, id
            """, arguments: [start, end], into: initial, decode: { row in
                guard let kind = BatchEventKind(rawValue: row[4]), let status = BatchStatus(rawValue: row[5]) else { return nil }
                return BatchEventRecord(
                    accountID: row[0], batchID: row[1], runID: row[2], observedAt: row[3], kind: kind, status: status, progress: row[6])
            }, update)
    }

    /// Counts runs of equal (account, observation, kind, status) in event order: an account's
    /// events of one fetch are written together, so this groups them without sorting on the way.
    public func reduceEventTallies<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, EventTally) -> Void
    ) async throws -> State {
        try await read("cannot read batch events") { db in
            var state = initial()
            // Read in place, as `groupCounts`: a month is 1.6 M events at 10,000 accounts, and the
            // account id is made once per tally rather than per event.
            let statement = try db.makeStatement(sql: """
                SELECT account_id, observed_at, kind, status FROM batch_events
                WHERE observed_at >= ? AND observed_at < ? ORDER BY observed_at, id
                """)
            let rows = try Row.fetchCursor(statement, arguments: [start, end])
            let handle = statement.sqliteStatement
            var current: EventTally?
            while try rows.next() != nil {
                guard let kind = SQLiteText(handle, column: 2).eventKind, let status = SQLiteText(handle, column: 3).status else { continue }
                let observed = sqlite3_column_int64(handle, 1)
                let account = SQLiteText(handle, column: 0)
                if let tally = current, tally.observedAt == observed, tally.kind == kind, tally.status == status, account.equals(tally.accountID) {
                    current?.count += 1
                    continue
                }
                if let tally = current { update(&state, tally) }
                current = EventTally(accountID: account.string, observedAt: observed, kind: kind, status: status, count: 1)
            }
            if let tally = current { update(&state, tally) }
            return state
        }
    }

    // The fetches come in their time index's order: its key ends in their primary key (run_id,
    // account_id), so SQLite sorts nothing (with account_id alone after the time, it sorted each
    // read's 300,000 rows: 0.47 s against 0.23 in the sqlite3 shell). PostgreSQL reads them in the same order.
    public func reduceFetchMarks<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, FetchMark) -> Void
    ) async throws -> State {
        try await reduce("cannot read account fetches", sql: """
            SELECT account_id, observed_at, outcome FROM account_fetches
            WHERE observed_at >= ? AND observed_at < ? ORDER BY observed_at, run_id, account_id
            """, arguments: [start, end], into: initial, decode: { row in
                FetchOutcome(rawValue: row[2]).map { FetchMark(accountID: row[0], observedAt: row[1], outcome: $0) }
            }, update)
    }

    public func reduceFetches<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, FetchRecord) -> Void
    ) async throws -> State {
        try await reduce("cannot read account fetches", sql: """
            SELECT run_id, account_id, observed_at, outcome, http_status, attempts, requests, retries, rate_limited,
                   latency_ms, error, anomalies
            FROM account_fetches WHERE observed_at >= ? AND observed_at < ? ORDER BY observed_at, run_id, account_id
            """, arguments: [start, end], into: initial, decode: { row in
                guard let outcome = FetchOutcome(rawValue: row[3]) else { return nil }
                return FetchRecord(
                    runID: row[0], accountID: row[1], observedAt: row[2], outcome: outcome, httpStatus: row[4],
                    attempts: row[5], requests: row[6], retries: row[7], rateLimited: row[8], latencyMillis: row[9],
                    error: row[10], anomalies: row[11])
            }, update)
    }
}

/// Queries over batch state and changes.
extension SQLiteHistoryStore {
    public func lastRun(before end: UnixSeconds) async throws -> RunRecord? {
        try await read("cannot read runs") { db in
            try Row.fetchOne(db, sql: Self.runColumns + "WHERE as_of < ? ORDER BY as_of DESC LIMIT 1", arguments: [end])
                .map(Self.runRecord)
        }
    }

    public func batchStates(at time: UnixSeconds, activeSince start: UnixSeconds) async throws -> [BatchStateRecord] {
        try await read("cannot read batch states") { db in
            // Two kinds of candidate; finished batches of earlier nights, the bulk of a long
            // history, are never read.
            // - Batches with an event since `start`, from the time index (named: without it the
            //   planner scans the whole per-batch index for the DISTINCT, which grows with the
            //   history). Each one's state at `time` is its latest event then (MAX(id): events are
            //   written in observation order), found through the per-batch index.
            // - Batches open now whose latest event is older than `start`: nothing happened to them
            //   after `time` either, so their stored state is their state then, read from the
            //   open batches' index alone (v6). In a long history most open batches are these,
            //   stuck for good.
            // A batch open at `time` is one of the two. An open state has no terminal time.
            let rows = try Row.fetchCursor(db, sql: """
                WITH recent AS (
                    SELECT DISTINCT account_id, batch_id FROM batch_events INDEXED BY batch_events_by_time
                    WHERE observed_at >= ?1
                ),
                latest AS (
                    SELECT (SELECT MAX(e.id) FROM batch_events e
                            WHERE e.account_id = r.account_id AND e.batch_id = r.batch_id AND e.observed_at <= ?2) AS id
                    FROM recent r
                )
                SELECT * FROM (
                    SELECT e.account_id, e.batch_id, e.status, e.progress,
                           (SELECT MIN(f.observed_at) FROM batch_events f
                            WHERE f.account_id = e.account_id AND f.batch_id = e.batch_id) AS first_seen_at,
                           e.observed_at,
                           CASE WHEN e.status IN ('completed', 'failed', 'stopped') THEN
                               (SELECT MIN(t.observed_at) FROM batch_events t
                                WHERE t.account_id = e.account_id AND t.batch_id = e.batch_id AND t.observed_at <= ?2
                                  AND t.status IN ('completed', 'failed', 'stopped') AND t.kind <> 'disappeared')
                           END AS terminal_at
                    FROM latest l
                    JOIN batch_events e ON e.id = l.id
                    WHERE e.kind <> 'disappeared' AND (e.status IN ('pending', 'in_progress') OR e.observed_at >= ?1)
                    UNION ALL
                    SELECT account_id, batch_id, status, progress, first_seen_at, last_event_at, NULL
                    FROM batches INDEXED BY batches_open_state
                    WHERE status IN ('pending', 'in_progress') AND present = 1 AND last_event_at < ?1
                )
                ORDER BY account_id, LENGTH(batch_id), batch_id
                """, arguments: [start, time])
            var result: [BatchStateRecord] = []
            while let row = try rows.next() {
                guard let status = BatchStatus(rawValue: row[2]) else { continue }
                result.append(BatchStateRecord(
                    accountID: row[0], batchID: row[1], status: status, progress: row[3], firstSeenAt: row[4],
                    lastChangeAt: row[5], terminalAt: row[6]))
            }
            return result
        }
    }

    public func reduceLedger<State: Sendable>(
        firstSeenFrom start: UnixSeconds?, to end: UnixSeconds?, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, LedgerBatch) -> Void
    ) async throws -> State {
        try await reduce("cannot read the batch ledger", sql: """
            SELECT account_id, batch_id, status, progress, present, first_seen_at, status_since,
                   last_progress_change_at, terminal_at, last_seen_run
            FROM batches WHERE first_seen_at >= ? AND first_seen_at < ?
            ORDER BY account_id, LENGTH(batch_id), batch_id
            """, arguments: [start ?? Int64.min, end ?? Int64.max], into: initial, decode: { row in
                guard let status = BatchStatus(rawValue: row[2]) else { return nil }
                return LedgerBatch(
                    accountID: row[0], batchID: row[1], status: status, progress: row[3], present: row[4],
                    firstSeenAt: row[5], statusSince: row[6], lastProgressChangeAt: row[7], terminalAt: row[8],
                    lastSeenRun: row[9])
            }, update)
    }

    public func reduceProgressSteps<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, ProgressStep) -> Void
    ) async throws -> State {
        try await reduce("cannot read progress changes", sql: """
            SELECT account_id, observed_at, SUM(gain) FROM batch_events
            WHERE observed_at >= ?1 AND observed_at < ?2 AND gain > 0
            GROUP BY account_id, observed_at
            ORDER BY observed_at, account_id
            """, arguments: [start, end], into: initial, decode: { ProgressStep(accountID: $0[0], observedAt: $0[1], gain: $0[2]) }, update)
    }

    public func reduceLastStatusCounts<State: Sendable>(
        inPeriods bounds: [UnixSeconds], into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, AccountStatusCounts) -> Void
    ) async throws -> State {
        try await read("cannot read status counts") { db in
            var state = initial()
            guard let first = bounds.first, let last = bounds.last, first < last else { return state }
            // A fetch observes at its run's as_of, so an account's last success in a period is in the
            // period's last run unless it failed there or was not in it (a run cut short, an account
            // no longer configured): that run's counts are read by primary key, and only the others
            // probe the fetches' account index. Reading every run's counts cost four times the rows
            // at four collections a day (6 M rows a month at 10,000 accounts: 2.3-2.6 s against 0.6).
            let runs = try Self.runs(db, from: first, to: last)  // in this read: one snapshot with the counts
            let accounts = try String.fetchAll(db, sql: "SELECT id FROM accounts ORDER BY id")
            for period in PeriodRun.lastRuns(runs, inPeriods: bounds) {
                var found = Set<String>(minimumCapacity: accounts.count)
                try Self.groupCounts(db, sql: """
                    SELECT account_id, observed_at, status, batch_count FROM run_status_counts
                    WHERE run_id = ? ORDER BY account_id, status
                    """, arguments: [period.run]) {
                    found.insert($0.accountID)
                    update(&state, $0)
                }
                for account in accounts where !found.contains(account) {
                    try Self.groupCounts(db, sql: """
                        SELECT c.account_id, c.observed_at, c.status, c.batch_count FROM run_status_counts c
                        WHERE c.account_id = ?1 AND c.run_id = (
                            SELECT f.run_id FROM account_fetches f
                            WHERE f.account_id = ?1 AND f.outcome = 'ok' AND f.observed_at >= ?2 AND f.observed_at < ?3
                            ORDER BY f.observed_at DESC LIMIT 1)
                        ORDER BY c.status
                        """, arguments: [account, period.start, period.end]) { update(&state, $0) }
                }
            }
            return state
        }
    }

    public func terminalDurations(from start: UnixSeconds, to end: UnixSeconds) async throws -> [TerminalDuration] {
        try await read("cannot read terminal times") { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT t.account_id, t.status, t.observed_at - f.observed_at
                FROM batch_events t
                JOIN batch_events f ON f.account_id = t.account_id AND f.batch_id = t.batch_id AND f.kind = 'first_seen'
                WHERE t.observed_at >= ? AND t.observed_at < ? AND t.kind = 'status'
                  AND t.status IN ('completed', 'failed', 'stopped')
                ORDER BY t.account_id, t.observed_at
                """, arguments: [start, end])
            var result: [TerminalDuration] = []
            while let row = try rows.next() {
                guard let status = BatchStatus(rawValue: row[1]) else { continue }
                result.append(TerminalDuration(accountID: row[0], status: status, seconds: row[2]))
            }
            return result
        }
    }
}
