import FPModel
import HistoryStore

/// The figures for one account over one report window.
public struct AccountNight: Sendable, Hashable {
    public var accountID: String
    public var name: String
    public var manager: String
    /// Batch counts per status from the account's latest successful fetch before the window ends;
    /// nil when it was never collected by then.
    public var countsAtEnd: StatusCounts?
    /// When those counts were observed (may be before the window when the night's fetches failed).
    public var countsObservedAt: UnixSeconds?
    /// Batches that entered each status in the window.
    public var entered: [BatchStatus: Int]
    /// Fetches of the account in the window by outcome.
    public var fetchOutcomes: [FetchOutcome: Int]
    /// Batches that went missing from the account's answers in the window, and that came back.
    public var disappeared = 0
    public var reappeared = 0
    /// Sum of positive progress changes observed in the window (percentage points).
    public var progressGain: Int = 0
    /// Time from first sight to terminal of the batches that finished in the window.
    public var timeToTerminal: DurationSummary = .init([])
    /// In-progress batches with no progress change for the stuck threshold, at the end of the window.
    public var stuck: Int = 0
    /// Pending batches older than the pending threshold, at the end of the window.
    public var oldPending: Int = 0
    /// Hours in the window, for per-hour rates.
    public var windowHours: Double = 24

    public var completed: Int { entered[.completed] ?? 0 }
    public var failed: Int { entered[.failed] ?? 0 }
    public var stopped: Int { entered[.stopped] ?? 0 }
    /// completed + failed + stopped in the window.
    public var finished: Int { completed + failed + stopped }
    /// failed / (completed + failed + stopped); nil when nothing finished.
    public var failureRate: Double? { Rates.ratio(failed, finished) }
    /// stopped / (completed + failed + stopped); nil when nothing finished.
    public var stopRate: Double? { Rates.ratio(stopped, finished) }
    /// Progress points gained per hour over the window.
    public var pointsPerHour: Double { Double(progressGain) / windowHours }
    /// Collected at least once in the window, and every fetch in it failed.
    public var failedToCollect: Bool { (fetchOutcomes[.ok] ?? 0) == 0 && !fetchOutcomes.isEmpty }
    /// No fetch at all in the window (added later, or the night had no run).
    public var notCollected: Bool { fetchOutcomes.isEmpty }
    /// At least one successful fetch in the window: without one, its in-window figures are a gap.
    public var hasData: Bool { (fetchOutcomes[.ok] ?? 0) > 0 }
}

/// Fleet-wide figures for one status over one window.
public struct StatusNight: Sendable, Hashable {
    public var status: BatchStatus
    /// Batches in this status at the end of the window, summed over accounts with data.
    public var atEnd: Int
    public var entered: Int

    public init(status: BatchStatus, atEnd: Int, entered: Int) {
        self.status = status
        self.atEnd = atEnd
        self.entered = entered
    }
}

/// p50 and p95 of a set of durations (nearest rank), in seconds.
public struct DurationSummary: Sendable, Hashable {
    public var count: Int
    public var p50: Int64?
    public var p95: Int64?

    public init(_ seconds: [Int64]) {
        let sorted = seconds.sorted()
        count = sorted.count
        p50 = Quantile.nearestRank(sorted, 0.5)
        p95 = Quantile.nearestRank(sorted, 0.95)
    }
}


/// A batch flagged at the end of the window.
public struct FlaggedBatch: Sendable, Hashable {
    public enum Reason: String, Sendable { case stuck, oldPending = "old_pending" }
    public var accountID: String
    public var batchID: String
    public var progress: Int
    /// Since when: the last progress change (stuck) or the first sighting (old pending).
    public var since: UnixSeconds
    // The two one-byte fields last, side by side: 56 bytes a flag, not 64 (a night can flag 200,000).
    public var reason: Reason
    public var status: BatchStatus
}

/// How collection went in the window.
public struct CollectionHealth: Sendable, Hashable {
    public var accountsConfigured = 0
    /// Accounts with at least one fetch in the window.
    public var accountsAttempted = 0
    /// Accounts with at least one successful fetch.
    public var accountsOK = 0
    /// Accounts whose last fetch in the window failed (their end-of-window counts are older), with that failure.
    public var failedAccounts: [FailedFetch] = []
    /// Fetches by outcome and by HTTP status.
    public var fetchOutcomes: [FetchOutcome: Int] = [:]
    public var httpStatuses: [Int: Int] = [:]
    public var fetches = 0
    public var requests = 0
    public var retries = 0
    public var rateLimited = 0
    public var latencyP50Millis: Int?
    public var latencyP95Millis: Int?
    public var runs = 0
    /// Batches seen under two statuses within one fetch (they moved between its status calls).
    public var statusAnomalies = 0
    /// Batches missing from an answer that had them before, and batches back after missing.
    public var disappeared = 0
    public var reappeared = 0

    /// Share of fetches that ended with `outcome`.
    public func rate(of outcome: FetchOutcome) -> Double? { Rates.ratio(fetchOutcomes[outcome] ?? 0, fetches) }
}

/// An account whose last fetch in the window failed, with that failure.
public struct FailedFetch: Sendable, Hashable {
    public var accountID: String
    public var outcome: FetchOutcome
    public var httpStatus: Int?
    public var error: String
}

/// Every figure of one night's report, computed from the history alone.
public struct NightMetrics: Sendable {
    public var window: ReportWindow
    public var accounts: [AccountNight]
    public var statuses: [StatusNight]
    /// Runs whose `as_of` lies in the window.
    public var runs: [RunRecord]
    /// The finish time of the last run included: the report's "data as of" stamp (nil with no run).
    public var dataAsOf: UnixSeconds?
    /// The last run included (its id is the report's provenance).
    public var lastRunID: RunID?
    public var timeToTerminal: DurationSummary = .init([])
    /// The typical gap between runs: time to terminal is known to within this.
    public var pollingResolutionSeconds: Int64?
    /// Stuck and old pending batches of ``batches`` (in their order), judged at ``flagTime``.
    public var flagged: [FlaggedBatch] = []
    /// The night's batches (SPEC section 5): open at the end of the window, or entered a status or
    /// progressed in it. Finished batches of earlier nights are counted in ``statuses``, not listed.
    public var batches: [BatchStateRecord] = []
    public var collection = CollectionHealth()
    /// The window's fetches and terminal times, kept so a report over some of the accounts
    /// computes its collection health and time to terminal from theirs alone (SPEC section 4, Scopes).
    public var fetches: [FetchRecord] = []
    public var terminalDurations: [TerminalDuration] = []

    /// The instant ``batches`` and ``flagged`` describe: the window's last second.
    public var stateTime: UnixSeconds { window.end - 1 }

    /// The instant stuck and old pending are judged at: the window's end, inclusive (SPEC section
    /// 4), so a batch exactly `stuck_after` old when the window closes is flagged. The state is the
    /// one observed before the end (``stateTime``); only its age is taken at the end.
    public var flagTime: UnixSeconds { window.end }

    /// How many of ``flagged`` are flagged for `reason` (counted, not filtered into a copy).
    public func flaggedCount(_ reason: FlaggedBatch.Reason) -> Int {
        flagged.reduce(0) { $0 + ($1.reason == reason ? 1 : 0) }
    }

    public var fleetCompleted: Int { accounts.reduce(0) { $0 + $1.completed } }
    public var fleetFailed: Int { accounts.reduce(0) { $0 + $1.failed } }
    public var fleetStopped: Int { accounts.reduce(0) { $0 + $1.stopped } }
    public var fleetFinished: Int { fleetCompleted + fleetFailed + fleetStopped }
    public var fleetFailureRate: Double? { Rates.ratio(fleetFailed, fleetFinished) }
    public var fleetStopRate: Double? { Rates.ratio(fleetStopped, fleetFinished) }
    public var fleetProgressGain: Int { accounts.reduce(0) { $0 + $1.progressGain } }
    public var fleetPointsPerHour: Double { Double(fleetProgressGain) / window.hours }
    /// A night with no run is a gap, not zeros.
    public var hasData: Bool { !runs.isEmpty }
}

extension NightMetrics {
    /// The figures of the scope that `ids` make (SPEC section 4, Scopes): their accounts, batches,
    /// fetches and terminal times alone, with the scope's own figures computed from those.
    public func scoped(to ids: Set<String>) -> NightMetrics {
        Scopes(self, count: 1) { ids.contains($0) ? 0 : nil }.night(0)
    }

    /// The figures of the scope as a whole, from its accounts' parts: per status the batches at
    /// the end and the entries, collection health, time to terminal. The fleet's and a manager's
    /// come from here alike.
    mutating func computeScopeFigures() {
        statuses = BatchStatus.allCases.map { status in
            StatusNight(
                status: status,
                atEnd: accounts.reduce(0) { $0 + ($1.countsAtEnd?[status] ?? 0) },
                entered: accounts.reduce(0) { $0 + ($1.entered[status] ?? 0) })
        }
        collection = MetricsEngine.collectionHealth(fetches, accounts: accounts, runs: runs.count)
        timeToTerminal = DurationSummary(terminalDurations.map(\.seconds))
    }
}

/// Rates with their formula: a zero denominator is "no rate", never 0 %.
public enum Rates {
    public static let failureRateFormula = "failed / (completed + failed + stopped)"
    public static let stopRateFormula = "stopped / (completed + failed + stopped)"

    public static func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator > 0 ? Double(numerator) / Double(denominator) : nil
    }
}
