import FPModel
import HistoryStore
import PostgresNIO

/// The queries that feed metrics, as the SQLite store answers them: the same rows in the same
/// order, so a report is byte for byte the same whichever backend holds the history.
extension PostgresHistoryStore {
    /// Runs `query` and folds its decodable rows into a state made inside the read, streaming:
    /// postgres-nio reads rows as they are consumed, so a month of events is never held.
    func reduce<State: Sendable, Record>(
        _ what: String, _ query: PostgresQuery, into initial: @escaping @Sendable () -> State,
        decode: @escaping @Sendable (PostgresRow) throws -> Record?, _ update: @escaping @Sendable (inout State, Record) -> Void
    ) async throws -> State {
        try await read(what) { connection in
            var state = initial()
            for try await row in try await connection.query(query, logger: Self.quiet) {
                if let record = try decode(row) { update(&state, record) }
            }
            return state
        }
    }

    /// Collects `query`'s decodable rows.
    func all<Record: Sendable>(_ what: String, _ query: PostgresQuery, decode: @escaping @Sendable (PostgresRow) throws -> Record?) async throws -> [Record] {
        try await reduce(what, query, into: { [] }, decode: decode) { $0.append($1) }
    }

    public func accounts() async throws -> [AccountRecord] {
        try await all("cannot read accounts", "SELECT id, name, manager, first_collected_at, last_success_at FROM accounts ORDER BY id") { row in
            let (id, name, manager, first, last) = try row.decode((String, String, String, Int64?, Int64?).self)
            return AccountRecord(id: id, name: name, manager: manager, firstCollectedAt: first, lastSuccessAt: last)
        }
    }

    static let runColumns = "SELECT id, as_of, started_at, finished_at, status, accounts_total, accounts_ok, accounts_failed, tool_version FROM runs "

    static func runRecord(_ row: PostgresRow) throws -> RunRecord {
        let (id, asOf, started, finished, state, total, ok, failed, version) =
            try row.decode((Int64, Int64, Int64, Int64?, String, Int64, Int64, Int64, String).self)
        return RunRecord(
            id: id, asOf: asOf, startedAt: started, finishedAt: finished, state: state, accountsTotal: Int(total),
            accountsOK: Int(ok), accountsFailed: Int(failed), toolVersion: version)
    }

    public func runs(from start: UnixSeconds, to end: UnixSeconds) async throws -> [RunRecord] {
        var query = PostgresQuery(unsafeSQL: Self.runColumns + "WHERE as_of >= $1 AND as_of < $2 ORDER BY as_of")
        query.binds.append(start)
        query.binds.append(end)
        return try await all("cannot read runs", query, decode: Self.runRecord)
    }

    public func lastRun(before end: UnixSeconds) async throws -> RunRecord? {
        var query = PostgresQuery(unsafeSQL: Self.runColumns + "WHERE as_of < $1 ORDER BY as_of DESC LIMIT 1")
        query.binds.append(end)
        return try await all("cannot read runs", query, decode: Self.runRecord).first
    }

    /// One row per fetch with its five counts as columns (a missing status is -1): a client
    /// decodes rows one at a time, and five a fetch was most of a month's trends.
    static let countColumns = BatchStatus.allCases.map { status in
        "COALESCE(MAX(c.batch_count) FILTER (WHERE c.status = '\(status.rawValue)'), -1)"
    }.joined(separator: ", ")

    /// Folds the fetch-per-row counts `query` selects (account, observed_at, then `countColumns`).
    private func reduceCounts<State: Sendable>(
        _ what: String, _ query: PostgresQuery, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, AccountStatusCounts) -> Void
    ) async throws -> State {
        try await reduce(what, query, into: initial, decode: Self.countsRecord, update)
    }

    /// One row of account, observed_at, then `countColumns`.
    private static func countsRecord(_ row: PostgresRow) throws -> AccountStatusCounts {
        var cells = Cells(row)
        var counts = AccountStatusCounts(accountID: try cells.next(String.self), observedAt: try cells.next(Int64.self), counts: StatusCounts())
        for status in BatchStatus.allCases {
            let count = try cells.next(Int64.self)
            if count >= 0 { counts.counts[status] = Int(count) }
        }
        return counts
    }

    public func statusCounts(atOrBefore time: UnixSeconds) async throws -> [AccountStatusCounts] {
        var query = PostgresQuery(unsafeSQL: """
            SELECT a.id, s.* FROM accounts a
            -- Each account's latest successful fetch, one index probe each (every account that was
            -- ever fetched is in accounts); sorting every fetch to pick them cost ten times more.
            CROSS JOIN LATERAL (
                SELECT f.run_id FROM account_fetches f
                WHERE f.account_id = a.id AND f.outcome = 'ok' AND f.observed_at <= $1
                ORDER BY f.observed_at DESC LIMIT 1
            ) AS l
            -- And its counts, probed too: joined, they were hashed against a scan of every count
            -- the history holds (0.7 s at a month of 10,000 accounts against 0.2, and growing).
            CROSS JOIN LATERAL (
                SELECT MIN(c.observed_at) AS observed_at, \(Self.countColumns)
                FROM run_status_counts c WHERE c.run_id = l.run_id AND c.account_id = a.id
            ) AS s
            WHERE s.observed_at IS NOT NULL
            ORDER BY a.id
            """)
        query.binds.append(time)
        return try await reduceCounts("cannot read status counts", query, into: { [] }) { $0.append($1) }
    }

    public func reduceLastStatusCounts<State: Sendable>(
        inPeriods bounds: [UnixSeconds], into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, AccountStatusCounts) -> Void
    ) async throws -> State {
        guard let first = bounds.first, let last = bounds.last, first < last else { return initial() }
        // As SQLite answers it: an account's last success in a period is in the period's last run
        // unless it failed there or was not in it, so that run's counts come by primary key and only
        // the other accounts probe the fetches' account index (an anti-join against that run's
        // successes picks them). Every run's counts were four times the rows at four collections a day.
        let periods = PeriodRun.lastRuns(try await runs(from: first, to: last), inPeriods: bounds)
        return try await read("cannot read status counts") { connection in
            var state = initial()
            for period in periods {
                var query = PostgresQuery(unsafeSQL: """
                    SELECT c.account_id, MIN(c.observed_at), \(Self.countColumns)
                    FROM run_status_counts c WHERE c.run_id = $3 GROUP BY c.account_id
                    UNION ALL
                    SELECT a.id, s.* FROM accounts a
                    CROSS JOIN LATERAL (
                        SELECT f.run_id FROM account_fetches f
                        WHERE f.account_id = a.id AND f.outcome = 'ok' AND f.observed_at >= $1 AND f.observed_at < $2
                        ORDER BY f.observed_at DESC LIMIT 1
                    ) AS l
                    CROSS JOIN LATERAL (
                        SELECT MIN(c.observed_at) AS observed_at, \(Self.countColumns)
                        FROM run_status_counts c WHERE c.run_id = l.run_id AND c.account_id = a.id
                    ) AS s
                    WHERE s.observed_at IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM account_fetches x WHERE x.run_id = $3 AND x.account_id = a.id AND x.outcome = 'ok')
                    """)
                query.binds.append(period.start)
                query.binds.append(period.end)
                query.binds.append(period.run)
                for try await row in try await connection.query(query, logger: Self.quiet) {
                    update(&state, try Self.countsRecord(row))
                }
            }
            return state
        }
    }

    public func reduceEvents<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, BatchEventRecord) -> Void
    ) async throws -> State {
        try await reduce("cannot read batch events", """
            SELECT account_id, batch_id, run_id, observed_at, kind, status, progress FROM batch_events
            WHERE observed_at >= \(start) AND observed_at < \(end) ORDER BY observed_at, id
            """, into: initial, decode: { row in
                var cells = Cells(row)
                let (account, batch, run, observed) = (try cells.next(String.self), try cells.next(String.self), try cells.next(Int64.self), try cells.next(Int64.self))
                guard let kind = BatchEventKind(rawValue: try cells.next(String.self)),
                      let status = BatchStatus(rawValue: try cells.next(String.self)) else { return nil }
                return BatchEventRecord(
                    accountID: account, batchID: batch, runID: run, observedAt: observed, kind: kind, status: status,
                    progress: Int(try cells.next(Int64.self)))
            }, update)
    }

    /// Grouped by the server along its tally index (migration pg3): a streaming index-only scan,
    /// and half the rows of the events, each without the batch id, reach the client.
    public func reduceEventTallies<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, EventTally) -> Void
    ) async throws -> State {
        try await reduce("cannot read batch events", """
            SELECT account_id, observed_at, kind, status, COUNT(*) FROM batch_events
            WHERE observed_at >= \(start) AND observed_at < \(end)
            GROUP BY observed_at, account_id, kind, status
            ORDER BY observed_at, account_id
            """, into: initial, decode: { row in
                var cells = Cells(row)
                let (account, observed) = (try cells.next(String.self), try cells.next(Int64.self))
                guard let kind = BatchEventKind(rawValue: try cells.next(String.self)),
                      let status = BatchStatus(rawValue: try cells.next(String.self)) else { return nil }
                return EventTally(accountID: account, observedAt: observed, kind: kind, status: status, count: Int(try cells.next(Int64.self)))
            }, update)
    }

    public func reduceFetchMarks<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, FetchMark) -> Void
    ) async throws -> State {
        try await reduce("cannot read account fetches", """
            SELECT account_id, observed_at, outcome FROM account_fetches
            WHERE observed_at >= \(start) AND observed_at < \(end) ORDER BY observed_at, run_id, account_id
            """, into: initial, decode: { row in
                var cells = Cells(row)
                let (account, observed) = (try cells.next(String.self), try cells.next(Int64.self))
                return FetchOutcome(rawValue: try cells.next(String.self)).map { FetchMark(accountID: account, observedAt: observed, outcome: $0) }
            }, update)
    }

    public func reduceFetches<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, FetchRecord) -> Void
    ) async throws -> State {
        try await reduce("cannot read account fetches", """
            SELECT run_id, account_id, observed_at, outcome, http_status, attempts, requests, retries, rate_limited,
                   latency_ms, error, anomalies
            FROM account_fetches WHERE observed_at >= \(start) AND observed_at < \(end) ORDER BY observed_at, run_id, account_id
            """, into: initial, decode: { row in
                var cells = Cells(row)
                let (run, account, observed) = (try cells.next(Int64.self), try cells.next(String.self), try cells.next(Int64.self))
                guard let outcome = FetchOutcome(rawValue: try cells.next(String.self)) else { return nil }
                return FetchRecord(
                    runID: run, accountID: account, observedAt: observed, outcome: outcome,
                    httpStatus: try cells.next(Int64?.self).map(Int.init), attempts: Int(try cells.next(Int64.self)),
                    requests: Int(try cells.next(Int64.self)), retries: Int(try cells.next(Int64.self)),
                    rateLimited: Int(try cells.next(Int64.self)), latencyMillis: Int(try cells.next(Int64.self)),
                    error: try cells.next(String?.self), anomalies: Int(try cells.next(Int64.self)))
            }, update)
    }

    /// The night's batches, found as the SQLite store finds them (see there): the batches changed
    /// since `start`, each at its latest event at `time`, and the open ones unchanged since.
    public func batchStates(at time: UnixSeconds, activeSince start: UnixSeconds) async throws -> [BatchStateRecord] {
        try await all("cannot read batch states", """
            -- As in SQLite: batches with an event since the window's start, each at its latest event
            -- then; and open batches with none since, whose row is their state (v6's index alone).
            WITH recent AS (
                SELECT DISTINCT account_id, batch_id FROM batch_events WHERE observed_at >= \(start)
            )
            SELECT * FROM (
            SELECT e.account_id, e.batch_id, e.status, e.progress,
                   (SELECT MIN(f.observed_at) FROM batch_events f
                    WHERE f.account_id = e.account_id AND f.batch_id = e.batch_id) AS first_seen_at,
                   e.observed_at,
                   -- An open state has no terminal time, whatever the batch went through before.
                   CASE WHEN e.status IN ('completed', 'failed', 'stopped') THEN
                       (SELECT MIN(t.observed_at) FROM batch_events t
                        WHERE t.account_id = e.account_id AND t.batch_id = e.batch_id AND t.observed_at <= \(time)
                          AND t.status IN ('completed', 'failed', 'stopped') AND t.kind <> 'disappeared')
                   END AS terminal_at
            FROM recent c
            -- Each one's latest event at `time`, by the per-batch index (a batch's events are
            -- written in observation order, so this is SQLite's MAX(id)).
            CROSS JOIN LATERAL (
                SELECT * FROM batch_events l
                WHERE l.account_id = c.account_id AND l.batch_id = c.batch_id AND l.observed_at <= \(time)
                ORDER BY l.observed_at DESC, l.id DESC LIMIT 1
            ) AS e
            WHERE e.kind <> 'disappeared' AND (e.status IN ('pending', 'in_progress') OR e.observed_at >= \(start))
            UNION ALL
            SELECT account_id, batch_id, status, progress, first_seen_at, last_event_at, NULL
            FROM batches
            WHERE status IN ('pending', 'in_progress') AND present AND last_event_at < \(start)
            ) AS states
            ORDER BY account_id, LENGTH(batch_id), batch_id
            """) { row in
                let (account, batch, status, progress, firstSeen, changed, terminal) =
                    try row.decode((String, String, String, Int64, Int64, Int64, Int64?).self)
                guard let status = BatchStatus(rawValue: status) else { return nil }
                return BatchStateRecord(
                    accountID: account, batchID: batch, status: status, progress: Int(progress), firstSeenAt: firstSeen,
                    lastChangeAt: changed, terminalAt: terminal)
            }
    }

    public func reduceLedger<State: Sendable>(
        firstSeenFrom start: UnixSeconds?, to end: UnixSeconds?, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, LedgerBatch) -> Void
    ) async throws -> State {
        try await reduce("cannot read the batch ledger", """
            SELECT account_id, batch_id, status, progress, present, first_seen_at, status_since,
                   last_progress_change_at, terminal_at, last_seen_run
            FROM batches WHERE first_seen_at >= \(start ?? Int64.min) AND first_seen_at < \(end ?? Int64.max)
            ORDER BY account_id, LENGTH(batch_id), batch_id
            """, into: initial, decode: { row in
                let (account, batch, status, progress, present, firstSeen, since, progressChange, terminal, lastRun) =
                    try row.decode((String, String, String, Int64, Bool, Int64, Int64, Int64, Int64?, Int64).self)
                guard let status = BatchStatus(rawValue: status) else { return nil }
                return LedgerBatch(
                    accountID: account, batchID: batch, status: status, progress: Int(progress), present: present,
                    firstSeenAt: firstSeen, statusSince: since, lastProgressChangeAt: progressChange, terminalAt: terminal,
                    lastSeenRun: lastRun)
            }, update)
    }

    public func reduceProgressSteps<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, ProgressStep) -> Void
    ) async throws -> State {
        try await reduce("cannot read progress changes", """
            SELECT account_id, observed_at, SUM(gain)::bigint FROM batch_events
            WHERE observed_at >= \(start) AND observed_at < \(end) AND gain > 0
            GROUP BY account_id, observed_at
            ORDER BY observed_at, account_id
            """, into: initial, decode: { row in
                var cells = Cells(row)
                return ProgressStep(
                    accountID: try cells.next(String.self), observedAt: try cells.next(Int64.self), gain: Int(try cells.next(Int64.self)))
            }, update)
    }

    public func terminalDurations(from start: UnixSeconds, to end: UnixSeconds) async throws -> [TerminalDuration] {
        try await all("cannot read terminal times", """
            SELECT t.account_id, t.status, t.observed_at - f.observed_at
            FROM batch_events t
            JOIN batch_events f ON f.account_id = t.account_id AND f.batch_id = t.batch_id AND f.kind = 'first_seen'
            WHERE t.observed_at >= \(start) AND t.observed_at < \(end) AND t.kind = 'status'
              AND t.status IN ('completed', 'failed', 'stopped')
            ORDER BY t.account_id, t.observed_at
            """) { row in
                let (account, status, seconds) = try row.decode((String, String, Int64).self)
                guard let status = BatchStatus(rawValue: status) else { return nil }
                return TerminalDuration(accountID: account, status: status, seconds: seconds)
            }
    }
}

/// A row's cells read in order, each with a concrete type. The variadic `row.decode((A, B, …).self)`
/// resolves generic metadata at run time on every row: a sixth of reading a month of events, in
/// a profile, where these reads decode a million rows and more.
struct Cells {
    private var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) { cells = row.makeIterator() }

    mutating func next<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        guard let cell = cells.next() else { throw HistoryStoreError("the server sent a row with fewer columns than asked for") }
        return try cell.decode(T.self)
    }
}
