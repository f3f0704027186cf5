import FPModel

/// An account as the history knows it.
public struct AccountRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var manager: String
    /// The first successful fetch: events observed then are the baseline, not changes.
    public var firstCollectedAt: UnixSeconds?
    public var lastSuccessAt: UnixSeconds?

    public init(id: String, name: String, manager: String, firstCollectedAt: UnixSeconds?, lastSuccessAt: UnixSeconds?) {
        self.id = id
        self.name = name
        self.manager = manager
        self.firstCollectedAt = firstCollectedAt
        self.lastSuccessAt = lastSuccessAt
    }
}

/// A run as recorded.
public struct RunRecord: Sendable, Hashable {
    public var id: RunID
    public var asOf: UnixSeconds
    public var startedAt: UnixSeconds
    public var finishedAt: UnixSeconds?
    public var state: String
    public var accountsTotal: Int
    public var accountsOK: Int
    public var accountsFailed: Int
    public var toolVersion: String

    public init(
        id: RunID, asOf: UnixSeconds, startedAt: UnixSeconds, finishedAt: UnixSeconds?, state: String,
        accountsTotal: Int, accountsOK: Int, accountsFailed: Int, toolVersion: String
    ) {
        self.id = id
        self.asOf = asOf
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.state = state
        self.accountsTotal = accountsTotal
        self.accountsOK = accountsOK
        self.accountsFailed = accountsFailed
        self.toolVersion = toolVersion
    }
}

/// One account's batch counts per status from one successful fetch. (The history keeps each
/// status's progress sum beside its count; no figure uses it, so no read carries it.)
public struct AccountStatusCounts: Sendable, Hashable {
    public var accountID: String
    /// When the fetch these counts come from was observed.
    public var observedAt: UnixSeconds
    public var counts: StatusCounts

    public init(accountID: String, observedAt: UnixSeconds, counts: StatusCounts) {
        self.accountID = accountID
        self.observedAt = observedAt
        self.counts = counts
    }
}

/// One row of `batch_events`.
public struct BatchEventRecord: Sendable, Hashable {
    public var accountID: String
    public var batchID: String
    public var runID: RunID
    public var observedAt: UnixSeconds
    public var kind: BatchEventKind
    public var status: BatchStatus
    public var progress: Int

    public init(
        accountID: String, batchID: String, runID: RunID, observedAt: UnixSeconds, kind: BatchEventKind,
        status: BatchStatus, progress: Int
    ) {
        self.accountID = accountID
        self.batchID = batchID
        self.runID = runID
        self.observedAt = observedAt
        self.kind = kind
        self.status = status
        self.progress = progress
    }
}

/// One row of `account_fetches`.
public struct FetchRecord: Sendable, Hashable {
    public var runID: RunID
    public var accountID: String
    public var observedAt: UnixSeconds
    public var outcome: FetchOutcome
    public var httpStatus: Int?
    public var attempts: Int
    public var requests: Int
    public var retries: Int
    public var rateLimited: Int
    public var latencyMillis: Int
    public var error: String?
    /// Batches this fetch saw under two statuses among its status calls (the status attribution's anomalies).
    public var anomalies: Int

    public init(
        runID: RunID, accountID: String, observedAt: UnixSeconds, outcome: FetchOutcome, httpStatus: Int?,
        attempts: Int, requests: Int, retries: Int = 0, rateLimited: Int, latencyMillis: Int, error: String?, anomalies: Int = 0
    ) {
        self.anomalies = anomalies
        self.runID = runID
        self.accountID = accountID
        self.observedAt = observedAt
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.requests = requests
        self.retries = retries
        self.rateLimited = rateLimited
        self.latencyMillis = latencyMillis
        self.error = error
    }
}

/// One batch as it stood at some instant: its latest event at or before it.
public struct BatchStateRecord: Sendable, Hashable {
    public var accountID: String
    public var batchID: String
    public var progress: Int
    public var firstSeenAt: UnixSeconds
    /// The last observed change of status or progress (or the first sighting).
    public var lastChangeAt: UnixSeconds
    /// When it first reached a terminal status, if it is in one then: an open batch has none,
    /// even one that was finished once and reopened.
    public var terminalAt: UnixSeconds?
    // Last, where it packs beside the optional's tag: 72 bytes a record, not 80 (a night holds 200,000).
    public var status: BatchStatus

    public init(
        accountID: String, batchID: String, status: BatchStatus, progress: Int, firstSeenAt: UnixSeconds,
        lastChangeAt: UnixSeconds, terminalAt: UnixSeconds?
    ) {
        self.accountID = accountID
        self.batchID = batchID
        self.status = status
        self.progress = progress
        self.firstSeenAt = firstSeenAt
        self.lastChangeAt = lastChangeAt
        self.terminalAt = terminalAt
    }
}

/// A batch that reached a terminal status in a window, with how long it took from first sight.
public struct TerminalDuration: Sendable, Hashable {
    public var accountID: String
    public var status: BatchStatus
    public var seconds: Int64

    public init(accountID: String, status: BatchStatus, seconds: Int64) {
        self.accountID = accountID
        self.status = status
        self.seconds = seconds
    }
}

/// One account fetch as a day of the trends is marked by it: who, when, and how it ended.
public struct FetchMark: Sendable, Hashable {
    public var accountID: String
    public var observedAt: UnixSeconds
    public var outcome: FetchOutcome

    public init(accountID: String, observedAt: UnixSeconds, outcome: FetchOutcome) {
        self.accountID = accountID
        self.observedAt = observedAt
        self.outcome = outcome
    }
}

/// How many of one account's events at one observation had one kind and status: the events as
/// day activity counts them (``BatchEventRecord`` without the batch), in far fewer rows. A
/// store may split one such group over several tallies; their counts add up.
public struct EventTally: Sendable, Hashable {
    public var accountID: String
    public var observedAt: UnixSeconds
    public var kind: BatchEventKind
    public var status: BatchStatus
    public var count: Int

    public init(accountID: String, observedAt: UnixSeconds, kind: BatchEventKind, status: BatchStatus, count: Int) {
        self.accountID = accountID
        self.observedAt = observedAt
        self.kind = kind
        self.status = status
        self.count = count
    }
}

/// Positive progress observed for one account at one observation, summed over its batches.
public struct ProgressStep: Sendable, Hashable {
    public var accountID: String
    public var observedAt: UnixSeconds
    public var gain: Int

    public init(accountID: String, observedAt: UnixSeconds, gain: Int) {
        self.accountID = accountID
        self.observedAt = observedAt
        self.gain = gain
    }
}

/// One row of the `batches` ledger: a batch's current state as the last successful fetch saw it.
public struct LedgerBatch: Sendable, Hashable {
    public var accountID: String
    public var batchID: String
    public var status: BatchStatus
    public var progress: Int
    /// False once the batch has disappeared from the API's answers.
    public var present: Bool
    public var firstSeenAt: UnixSeconds
    public var statusSince: UnixSeconds
    public var lastProgressChangeAt: UnixSeconds
    public var terminalAt: UnixSeconds?
    public var lastSeenRun: RunID

    public init(
        accountID: String, batchID: String, status: BatchStatus, progress: Int, present: Bool, firstSeenAt: UnixSeconds,
        statusSince: UnixSeconds, lastProgressChangeAt: UnixSeconds, terminalAt: UnixSeconds?, lastSeenRun: RunID
    ) {
        self.accountID = accountID
        self.batchID = batchID
        self.status = status
        self.progress = progress
        self.present = present
        self.firstSeenAt = firstSeenAt
        self.statusSince = statusSince
        self.lastProgressChangeAt = lastProgressChangeAt
        self.terminalAt = terminalAt
        self.lastSeenRun = lastSeenRun
    }
}

/// A period of a ``HistoryReader/reduceLastStatusCounts(inPeriods:into:_:)`` read and the last run
/// observed in it, where each account's last success of the period most likely is.
public struct PeriodRun: Sendable, Hashable {
    public var start: UnixSeconds
    public var end: UnixSeconds
    public var run: RunID

    /// Each period `[bounds[i], bounds[i + 1])` that holds one of `runs` (in as_of order), with the last.
    public static func lastRuns(_ runs: [RunRecord], inPeriods bounds: [UnixSeconds]) -> [PeriodRun] {
        var periods: [PeriodRun] = []
        var next = 0
        for (start, end) in zip(bounds, bounds.dropFirst()) where start < end {
            var last: RunID?
            while next < runs.count, runs[next].asOf < end {
                if runs[next].asOf >= start { last = runs[next].id }
                next += 1
            }
            if let last { periods.append(PeriodRun(start: start, end: end, run: last)) }
        }
        return periods
    }
}
