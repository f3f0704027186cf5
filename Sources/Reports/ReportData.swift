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

    /// The report of one manager's accounts (their own workbook and page): every figure computed
    /// from those accounts alone, by the rules the fleet's are (SPEC section 4, Scopes).
    /// For every manager of a report, ``ManagerScopes`` finds them all in one pass.
    public func scoped(toManager manager: String) -> ReportData {
        ManagerScopes(self, managers: [manager]).report(0)
    }

    /// Managers named by the accounts, sorted; accounts with no manager get no workbook of their own.
    public var managers: [String] {
        Array(Set(night.accounts.map(\.manager).filter { !$0.isEmpty })).sorted()
    }
}
