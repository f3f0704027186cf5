import BatchMetrics
import FPModel
import Foundation
import HistoryStore

/// Everything one report shows, computed once so the three formats render the same numbers.
public struct ReportData: Sendable {
    public var night: NightMetrics
    public var trends: Trends
    /// Worst accounts by failure rate among those with enough finished batches.
    public var worst: [AccountNight]
    public var minimumFinishedForRanking: Int
    public var thresholds: MetricsEngine.Thresholds
    /// Shown as the report's title: "All accounts" or the manager's name.
    public var scope: String
    public var toolVersion: String

    public init(
        night: NightMetrics, trends: Trends, thresholds: MetricsEngine.Thresholds, scope: String = "All accounts",
        toolVersion: String
    ) {
        self.night = night
        self.trends = trends
        self.thresholds = thresholds
        self.minimumFinishedForRanking = thresholds.minFinishedForRanking
        self.worst = MetricsEngine.worstAccounts(night, minimumFinished: thresholds.minFinishedForRanking)
        self.scope = scope
        self.toolVersion = toolVersion
    }

    public var timeZone: TimeZone { night.window.timeZone }

    /// The same report restricted to the accounts of one manager (for their own workbook).
    public func restricted(toManager manager: String) -> ReportData {
        let ids = Set(night.accounts.filter { $0.manager == manager }.map(\.accountID))
        var night = night
        night.accounts = night.accounts.filter { ids.contains($0.accountID) }
        night.statuses = BatchStatus.allCases.map { status in
            StatusNight(
                status: status, atEnd: night.accounts.reduce(0) { $0 + ($1.countsAtEnd?[status] ?? 0) },
                entered: night.accounts.reduce(0) { $0 + ($1.entered[status] ?? 0) })
        }
        night.batches = night.batches.filter { ids.contains($0.accountID) }
        night.flagged = night.flagged.filter { ids.contains($0.accountID) }
        // Collection health and time to terminal by the fleet's own functions, over this
        // manager's fetches and batches alone: never a figure that includes other accounts.
        night.fetches = night.fetches.filter { ids.contains($0.accountID) }
        night.terminalDurations = night.terminalDurations.filter { ids.contains($0.accountID) }
        night.collection = MetricsEngine.collectionHealth(night.fetches, accounts: night.accounts, runs: night.runs.count)
        night.timeToTerminal = DurationSummary(night.terminalDurations.map(\.seconds))
        var trends = trends
        trends.accounts = trends.accounts.restricted(to: ids)
        let series = trends.accounts
        trends.fleet = trends.fleet.indices.map { day in
            var point = trends.fleet[day]
            let points = series.ids.compactMap { series.point($0, day: day) }
            point.completed = points.reduce(0) { $0 + $1.completed }
            point.failed = points.reduce(0) { $0 + $1.failed }
            point.stopped = points.reduce(0) { $0 + $1.stopped }
            point.enteredPending = points.reduce(0) { $0 + $1.enteredPending }
            point.progressGain = points.reduce(0) { $0 + $1.progressGain }
            var atEnd = StatusCounts()
            for p in points { atEnd += p.atEnd }
            point.atEnd = atEnd
            return point
        }
        var data = ReportData(night: night, trends: trends, thresholds: thresholds, scope: manager, toolVersion: toolVersion)
        data.minimumFinishedForRanking = minimumFinishedForRanking
        return data
    }

    /// Managers named by the accounts, sorted; accounts with no manager get no workbook of their own.
    public var managers: [String] {
        Array(Set(night.accounts.map(\.manager).filter { !$0.isEmpty })).sorted()
    }
}
