import FPModel

/// What the collector needs from the history: runs and one account's result at a time.
///
/// Implementations write each account in one transaction, so a crash never leaves half an account,
/// and write history as changes (events), not as a copy of every batch per run.
public protocol HistoryWriter: Sendable {
    /// Opens a run at `start.asOf`, or reopens the run already recorded at that time (a re-run of
    /// the same night adds nothing twice). Throws when another live run holds the lease.
    func beginRun(_ start: RunStart) async throws -> RunID

    /// Records one account's result; a failed account changes no batch state.
    func record(_ result: AccountFetchResult, run: RunID) async throws -> AccountWriteSummary

    /// Renews the run's lease; called periodically while a run is collecting.
    func heartbeat(run: RunID, at time: UnixSeconds) async throws

    /// Accounts whose latest `runs` fetches all failed (no success for that many runs), sorted.
    func unhealthyAccounts(failedRuns runs: Int) async throws -> [String]

    /// Closes the run with its totals and releases the lease.
    func finishRun(_ run: RunID, state: RunState, totals: RunTotals, finishedAt: UnixSeconds) async throws
}

/// What metrics need from the history: plain values, never a database handle.
public protocol HistoryReader: Sendable {
    /// Every account the history knows, by id.
    func accounts() async throws -> [AccountRecord]

    /// Runs whose `as_of` lies in `[start, end)`, oldest first.
    func runs(from start: UnixSeconds, to end: UnixSeconds) async throws -> [RunRecord]

    /// For each account, the batch counts of its latest successful fetch at or before `time`.
    func statusCounts(atOrBefore time: UnixSeconds) async throws -> [AccountStatusCounts]

    /// Folds the batch events observed in `[start, end)`, in observation order, into the state that
    /// `initial` makes, one row at a time: a month of a large fleet is never held as rows.
    func reduceEvents<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, BatchEventRecord) -> Void
    ) async throws -> State

    /// Folds the batch events observed in `[start, end)` as tallies: per account and observation,
    /// how many had each kind and status. Each account's tallies come in observation order; the
    /// accounts may interleave in any order. What the trends count, without reading a month of
    /// events one row each.
    func reduceEventTallies<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, EventTally) -> Void
    ) async throws -> State

    /// Folds the account fetches observed in `[start, end)`, in observation order, like ``reduceEvents(from:to:into:_:)``.
    func reduceFetches<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, FetchRecord) -> Void
    ) async throws -> State

    /// Folds the account fetches observed in `[start, end)` as marks (account, time, outcome), in
    /// observation order: what the trends need of a month of fetches, a quarter of its columns.
    func reduceFetchMarks<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, FetchMark) -> Void
    ) async throws -> State

    /// The latest run whose `as_of` is before `end`.
    func lastRun(before end: UnixSeconds) async throws -> RunRecord?

    /// The night's batches: those present at `time` (as their latest event at or before it says)
    /// that are open then (pending, in progress) or whose latest change lies in `[start, time]`.
    /// Its cost follows the open batches and the changes since `start`, not the history's length:
    /// finished batches of earlier nights stay in every API answer, and are not read.
    func batchStates(at time: UnixSeconds, activeSince start: UnixSeconds) async throws -> [BatchStateRecord]

    /// Folds every batch the history has seen (the `batches` ledger, disappeared ones included)
    /// whose first sighting lies in `[start, end)` (nil: unbounded), by account and batch id, one
    /// row at a time: the whole ledger is never held.
    func reduceLedger<State: Sendable>(
        firstSeenFrom start: UnixSeconds?, to end: UnixSeconds?, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, LedgerBatch) -> Void
    ) async throws -> State

    /// Folds the positive progress changes observed in `[start, end)`, summed per account and
    /// observation, in observation order.
    func reduceProgressSteps<State: Sendable>(
        from start: UnixSeconds, to end: UnixSeconds, into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, ProgressStep) -> Void
    ) async throws -> State

    /// Folds, for each period `[bounds[i], bounds[i + 1])` in turn, each account's counts as its
    /// last successful fetch in that period found them (none for an account without one), the
    /// accounts of a period in any order: what the trends need of the counts, one record an account
    /// a day however often the day was collected. `bounds` ascend.
    func reduceLastStatusCounts<State: Sendable>(
        inPeriods bounds: [UnixSeconds], into initial: @escaping @Sendable () -> State,
        _ update: @escaping @Sendable (inout State, AccountStatusCounts) -> Void
    ) async throws -> State

    /// Batches seen non-terminal that became terminal in `[start, end)`, with first-sight-to-terminal time.
    func terminalDurations(from start: UnixSeconds, to end: UnixSeconds) async throws -> [TerminalDuration]
}

/// A history store: both sides, behind which SQLite (or later PostgreSQL) lives.
public typealias HistoryStore = HistoryReader & HistoryWriter

/// The same reads as whole arrays, for one night's worth or for tests.
extension HistoryReader {
    /// Batch events observed in `[start, end)`, in observation order.
    public func events(from start: UnixSeconds, to end: UnixSeconds) async throws -> [BatchEventRecord] {
        try await reduceEvents(from: start, to: end, into: { [] }) { $0.append($1) }
    }

    /// Account fetches observed in `[start, end)`, in observation order.
    /// The tallies of the events observed in `[start, end)`, summed per account, observation, kind
    /// and status whichever way the store split them, in that order: one canonical answer.
    public func eventTallies(from start: UnixSeconds, to end: UnixSeconds) async throws -> [EventTally] {
        let sums = try await reduceEventTallies(from: start, to: end, into: { [EventTally: Int]() }) { sums, tally in
            var key = tally
            key.count = 0
            sums[key, default: 0] += tally.count
        }
        return sums.map { key, count in
            var tally = key
            tally.count = count
            return tally
        }.sorted {
            ($0.accountID, $0.observedAt, $0.kind.rawValue, $0.status.rawValue) < ($1.accountID, $1.observedAt, $1.kind.rawValue, $1.status.rawValue)
        }
    }

    public func fetches(from start: UnixSeconds, to end: UnixSeconds) async throws -> [FetchRecord] {
        try await reduceFetches(from: start, to: end, into: { [] }) { $0.append($1) }
    }

    /// Positive progress changes observed in `[start, end)`, summed per account and observation.
    public func progressSteps(from start: UnixSeconds, to end: UnixSeconds) async throws -> [ProgressStep] {
        try await reduceProgressSteps(from: start, to: end, into: { [] }) { $0.append($1) }
    }

    /// Each account's counts at its last successful fetch in each period `[bounds[i], bounds[i + 1])`,
    /// period by period, and by account within one.
    public func lastStatusCounts(inPeriods bounds: [UnixSeconds]) async throws -> [AccountStatusCounts] {
        try await reduceLastStatusCounts(inPeriods: bounds, into: { [] }) { $0.append($1) }
            .sorted { ($0.observedAt, $0.accountID) < ($1.observedAt, $1.accountID) }
    }

    /// Per account, the sum of positive progress changes observed in `[start, end)`.
    public func progressGains(from start: UnixSeconds, to end: UnixSeconds) async throws -> [String: Int] {
        try await reduceProgressSteps(from: start, to: end, into: { [:] }) { $0[$1.accountID, default: 0] += $1.gain }
    }
}

/// A whole history database as the jobs use it: reading and writing, and what keeps runs apart
/// (the run lock, taking over a dead run, pruning). Each backend does these its own way: SQLite
/// with a lock file next to the database, a database server with leases it holds itself. The
/// jobs, the collector, the metrics and the reports never name a backend.
public protocol HistoryDatabase: HistoryReader, HistoryWriter {
    /// Takes the right to collect or prune alone. While the holder is one `waitFor` accepts (a
    /// prune, for a collection), waits for it up to `waitSeconds`; otherwise throws a lease-held
    /// ``HistoryStoreError`` naming the holder. Held until the lease is released, and given up
    /// by the backend when the process dies (even by `kill -9`).
    func acquireRunLock(holder: String, waitSeconds: Double, waitFor: @escaping @Sendable (String) -> Bool) async throws -> any RunLease

    /// Runs the database still marks as running: with the run lock held, each is a dead process's.
    func liveRuns() async throws -> [LiveRun]

    /// Opens a run like ``HistoryWriter/beginRun(_:)``; with `force`, past a live lease (the caller
    /// holds the run lock, so that run is dead).
    func beginRun(_ start: RunStart, force: Bool) async throws -> RunID

    /// Deletes history observed before `cutoff`, keeping what later reads still need: each batch's
    /// latest state before it and each account's latest successful counts.
    func prune(before cutoff: UnixSeconds, dryRun: Bool) async throws -> PruneCounts

    /// Where the stored history contradicts itself (events, states and counts that disagree);
    /// empty when it is consistent.
    func consistencyProblems() async throws -> [String]
}

/// The run lock, held while this value lives: dropping the last reference gives it up.
public protocol RunLease: AnyObject, Sendable {}

/// Who holds the run lock, as the lock says.
public enum RunLockHolder {
    /// What a prune writes before its name: a collection waits for a prune (it ends) rather than
    /// giving up the night.
    public static let prunePrefix = "prune "
}

/// A run the database still marks as running.
public struct LiveRun: Sendable, Hashable {
    public var id: RunID
    public var holder: String

    public init(id: RunID, holder: String) {
        self.id = id
        self.holder = holder
    }
}

/// Rows `prune` removed (or would remove).
public struct PruneCounts: Sendable, Equatable {
    public var runs = 0
    public var fetches = 0
    public var events = 0
    public var statusCounts = 0

    public init() {}
}

/// A history several collectors (processes, hosts) fill at once: they join one run and split its
/// accounts, each claimed by one collector at a time under a lease that runs out if that
/// collector dies (SPEC section 3.1). Lease times are the database's clock, not the hosts'.
public protocol SharedRunDatabase: HistoryDatabase {
    /// The run lock held together: any number of collectors at once; a prune (``HistoryDatabase/acquireRunLock(holder:waitSeconds:waitFor:)``)
    /// waits for them, and they for it, as that call describes.
    func acquireSharedRunLock(holder: String, waitSeconds: Double, waitFor: @escaping @Sendable (String) -> Bool) async throws -> any RunLease

    /// Opens the run at `start.asOf`, or joins it while it runs, adding `accounts` to its work (once each).
    /// Throws a lease-held error while a live run of another `as_of` is collecting.
    func joinRun(_ start: RunStart, accounts: [String]) async throws -> RunID

    /// Claims up to `limit` of the run's unfinished accounts among `among` for `holder`, for
    /// `leaseSeconds`: unclaimed ones first (by id), then ones whose claim ran out.
    func claimAccounts(run: RunID, among: [String], holder: String, limit: Int, leaseSeconds: Int64) async throws -> [String]

    /// Extends `holder`'s claims on the run by `leaseSeconds` and renews the run's heartbeat.
    func renewClaims(run: RunID, holder: String, leaseSeconds: Int64, at time: UnixSeconds) async throws

    /// Gives `holder`'s unfinished claims back at once (a collector stopping early).
    func releaseClaims(run: RunID, holder: String) async throws

    /// Records like ``HistoryWriter/record(_:run:)`` while `holder` still holds the account's
    /// claim, and marks the account done, in one transaction; nil (nothing written) when the
    /// claim ran out and another collector took the account.
    func record(_ result: AccountFetchResult, run: RunID, claimedBy holder: String) async throws -> AccountWriteSummary?

    /// How the run stands; when every account is done, closes it as finished at `finishedAt` with
    /// its totals counted from what was stored (the first collector to see it done does this).
    func closeShare(run: RunID, finishedAt: UnixSeconds) async throws -> SharedRunProgress

    /// How the run stands: all of it, or (with `accounts`) those of its accounts alone.
    func sharedProgress(run: RunID, among accounts: [String]?) async throws -> SharedRunProgress
}

extension SharedRunDatabase {
    /// How the whole run stands.
    public func sharedProgress(run: RunID) async throws -> SharedRunProgress { try await sharedProgress(run: run, among: nil) }
}

/// A shared run's accounts by state, and who collected them.
public struct SharedRunProgress: Sendable, Equatable {
    public var total = 0
    public var done = 0
    /// Claimed by a collector whose lease has not run out.
    public var claimed = 0
    /// Claimed by a collector whose lease ran out (taken over by the next to claim).
    public var lapsed = 0
    /// True once the run is closed as finished.
    public var finished = false
    /// Collectors that stored accounts of the run, with how many each.
    public var collectors: [String: Int] = [:]

    public init() {}

    /// Accounts nobody has collected yet.
    public var remaining: Int { total - done }
}
