import FPModel
import HistoryStore

/// The figures for one account over one report window.
public struct AccountNight: Sendable, Hashable {
    public var accountID: String
    public var name: String
    public var manager: String
    /// Batch counts per status from the account's latest successful fetch before the window ends;
    /// nil when it was never collected by then.
    public var countsAtEnd: [BatchStatus: Int]?
    /// When those counts were observed (may be before the window when the night's fetches failed).
    public var countsObservedAt: UnixSeconds?
    /// Batches that entered each status in the window.
    public var entered: [BatchStatus: Int]
    /// Fetches of the account in the window by outcome.
    public var fetchOutcomes: [FetchOutcome: Int]

    public var completed: Int { entered[.completed] ?? 0 }
    public var failed: Int { entered[.failed] ?? 0 }
    public var stopped: Int { entered[.stopped] ?? 0 }
    /// completed + failed + stopped in the window.
    public var finished: Int { completed + failed + stopped }
    /// failed / (completed + failed + stopped); nil when nothing finished.
    public var failureRate: Double? { Rates.ratio(failed, finished) }
    /// stopped / (completed + failed + stopped); nil when nothing finished.
    public var stopRate: Double? { Rates.ratio(stopped, finished) }
    /// Collected at least once in the window, and every fetch in it failed.
    public var failedToCollect: Bool { (fetchOutcomes[.ok] ?? 0) == 0 && !fetchOutcomes.isEmpty }
}

/// Fleet-wide figures for one status over one window.
public struct StatusNight: Sendable, Hashable {
    public var status: BatchStatus
    /// Batches in this status at the end of the window, summed over accounts with data.
    public var atEnd: Int
    public var entered: Int
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

    /// Fleet totals over accounts.
    public var fleetCompleted: Int { accounts.reduce(0) { $0 + $1.completed } }
    public var fleetFailed: Int { accounts.reduce(0) { $0 + $1.failed } }
    public var fleetStopped: Int { accounts.reduce(0) { $0 + $1.stopped } }
    public var fleetFailureRate: Double? { Rates.ratio(fleetFailed, fleetCompleted + fleetFailed + fleetStopped) }
    public var fleetStopRate: Double? { Rates.ratio(fleetStopped, fleetCompleted + fleetFailed + fleetStopped) }
}

/// Rates with their formula: a zero denominator is "no rate", never 0 %.
public enum Rates {
    public static let failureRateFormula = "failed / (completed + failed + stopped)"
    public static let stopRateFormula = "stopped / (completed + failed + stopped)"

    public static func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator > 0 ? Double(numerator) / Double(denominator) : nil
    }
}
