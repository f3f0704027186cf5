import FPModel
import HistoryStore

/// One day of a trend, for the fleet or one account. A day with no run has no figures (a gap).
public struct DailyPoint: Sendable, Hashable {
    public var date: String
    public var hasData: Bool
    public var completed: Int
    public var failed: Int
    public var stopped: Int
    public var enteredPending: Int
    public var atEnd: [BatchStatus: Int]
    public var progressGain: Int
    public var hours: Double

    public var finished: Int { completed + failed + stopped }
    public var failureRate: Double? { Rates.ratio(failed, finished) }
    public var stopRate: Double? { Rates.ratio(stopped, finished) }
    public var pointsPerHour: Double { Double(progressGain) / hours }
}

/// Daily trends and the day-over-day and week-over-week comparisons.
public struct Trends: Sendable {
    /// Oldest first, ending with the report's own day.
    public var fleet: [DailyPoint]
    /// Per account id, oldest first.
    public var accounts: [String: [DailyPoint]]

    /// The report day, the day before and the same day a week before (nil outside the series).
    public var today: DailyPoint? { fleet.last }
    public var dayBefore: DailyPoint? { fleet.count >= 2 ? fleet[fleet.count - 2] : nil }
    public var weekBefore: DailyPoint? { fleet.count >= 8 ? fleet[fleet.count - 8] : nil }
}

extension MetricsEngine {
    /// The `days` days ending with `window`, per account and for the fleet.
    public func trends(endingWith window: ReportWindow, days: Int = 30) async throws -> Trends {
        var fleet: [DailyPoint] = []
        var accounts: [String: [DailyPoint]] = [:]
        for offset in stride(from: days - 1, through: 0, by: -1) {
            let day = window.shifted(byDays: -offset)
            let night = try await summary(day)
            let hasData = night.hasData
            fleet.append(DailyPoint(
                date: day.date, hasData: hasData, completed: night.fleetCompleted, failed: night.fleetFailed,
                stopped: night.fleetStopped, enteredPending: night.statuses.first { $0.status == .pending }?.entered ?? 0,
                atEnd: Dictionary(uniqueKeysWithValues: night.statuses.map { ($0.status, $0.atEnd) }),
                progressGain: night.fleetProgressGain, hours: day.hours))
            for account in night.accounts {
                accounts[account.accountID, default: []].append(DailyPoint(
                    date: day.date, hasData: hasData && !account.notCollected, completed: account.completed,
                    failed: account.failed, stopped: account.stopped, enteredPending: account.entered[.pending] ?? 0,
                    atEnd: account.countsAtEnd ?? [:], progressGain: account.progressGain, hours: day.hours))
            }
        }
        return Trends(fleet: fleet, accounts: accounts)
    }
}
