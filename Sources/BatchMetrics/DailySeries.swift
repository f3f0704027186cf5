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
    public var atEnd: StatusCounts
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
    /// Per account, oldest first.
    public var accounts: AccountSeries

    /// The day before the report day and the same day a week before (nil outside the series).
    public var dayBefore: DailyPoint? { fleet.count >= 2 ? fleet[fleet.count - 2] : nil }
    public var weekBefore: DailyPoint? { fleet.count >= 8 ? fleet[fleet.count - 8] : nil }
}

extension MetricsEngine {
    /// The `days` days ending with `window`, per account and for the fleet.
    ///
    /// Four range reads for the whole period, each folded row by row into a grid of accounts × days,
    /// rather than one summary per day (minutes against seconds on 10,000 accounts) or a month of
    /// rows held in memory. The result equals ``summary(_:)`` day by day (tested).
    public func trends(endingWith window: ReportWindow, days: Int = 30) async throws -> Trends {
        let windows = stride(from: days - 1, through: 0, by: -1).map { window.shifted(byDays: -$0) }
        guard !windows.isEmpty else { return Trends(fleet: [], accounts: .empty) }
        let calendar = DayIndex(windows)
        let (start, end) = (calendar.start, calendar.end)

        let known = try await history.accounts()
        let rows = Dictionary(known.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let baselines = known.map(\.firstCollectedAt)
        let count = known.count

        // Two marks per account and day: fetched at all (which accounts a day reports, as in
        // summary(_:)) and fetched successfully (whether the day has data: SPEC section 4, Gaps).
        let (fetched, succeeded) = try await history.reduceFetches(
            from: start, to: end,
            into: { (DayGrid(accounts: count, days: days, filledWith: false), DayGrid(accounts: count, days: days, filledWith: false)) }
        ) { grids, fetch in
            guard let row = rows[fetch.accountID], let day = calendar.day(of: fetch.observedAt) else { return }
            grids.0[row, day] = true
            if fetch.outcome == .ok { grids.1[row, day] = true }
        }
        let entered = try await history.reduceEvents(
            from: start, to: end, into: { DayGrid(accounts: count, days: days, filledWith: AccountSeries.Entries()) }
        ) { grid, event in
            guard let row = rows[event.accountID], let day = calendar.day(of: event.observedAt),
                  Self.isEntry(event, baseline: baselines[row]) else { return }
            grid[row, day].count(event.status)
        }
        let gains = try await history.reduceProgressSteps(from: start, to: end, into: { DayGrid(accounts: count, days: days, filledWith: 0) }) {
            grid, step in
            guard let row = rows[step.accountID], let day = calendar.day(of: step.observedAt) else { return }
            grid[row, day] += step.gain
        }
        let atEnd = try await endOfDayCounts(rows: rows, days: days, calendar: calendar)

        var runDays = Set<Int>()
        for run in try await history.runs(from: start, to: end) { if let day = calendar.day(of: run.asOf) { runDays.insert(day) } }
        let calendarDays = windows.enumerated().map { AccountSeries.Day(date: $1.date, hours: $1.hours, hasRun: runDays.contains($0)) }
        var series = AccountSeries(days: calendarDays, rows: rows, fetched: succeeded, entered: entered, gains: gains, atEnd: atEnd)

        var fleet = calendarDays.map {
            DailyPoint(
                date: $0.date, hasData: $0.hasRun, completed: 0, failed: 0, stopped: 0, enteredPending: 0, atEnd: StatusCounts(),
                progressGain: 0, hours: $0.hours)
        }
        var kept = Set<String>()
        for (row, account) in known.enumerated() {
            let configured = configuredAccounts?.contains(account.id) ?? true
            // Like summary(_:), an account counts if it is configured or was collected in the period,
            // and on a given day if it is configured or was collected that day.
            guard configured || (0..<days).contains(where: { fetched[row, $0] }) else { continue }
            kept.insert(account.id)
            for day in 0..<days {
                let point = series.point(row: row, day: day)
                guard configured || fetched[row, day] else { continue }
                fleet[day].completed += point.completed
                fleet[day].failed += point.failed
                fleet[day].stopped += point.stopped
                fleet[day].enteredPending += point.enteredPending
                fleet[day].progressGain += point.progressGain
                fleet[day].atEnd += point.atEnd
            }
        }
        if kept.count < known.count { series = series.restricted(to: kept) }
        return Trends(fleet: fleet, accounts: series)
    }

    /// Each account's counts at each day's end: those of its latest successful fetch at or before
    /// it, carried forward over days without one (zeros before its first).
    private func endOfDayCounts(rows: [String: Int], days: Int, calendar: DayIndex) async throws -> DayGrid<StatusCounts> {
        let count = rows.count
        // Declared apart so the tuple's grids move into them: `atEnd` stays unshared and is filled in place.
        var atEnd: DayGrid<StatusCounts>
        let observed: DayGrid<Bool>
        (atEnd, observed) = try await history.reduceStatusCountHistory(
            from: calendar.start, to: calendar.end,
            into: { (DayGrid(accounts: count, days: days, filledWith: StatusCounts()), DayGrid(accounts: count, days: days, filledWith: false)) }
        ) { grids, counts in
            guard let row = rows[counts.accountID], let day = calendar.day(of: counts.observedAt) else { return }
            grids.0[row, day] = counts.counts
            grids.1[row, day] = true
        }
        var latest = [StatusCounts](repeating: StatusCounts(), count: count)
        for counts in try await history.statusCounts(atOrBefore: calendar.start - 1) {
            if let row = rows[counts.accountID] { latest[row] = counts.counts }
        }
        for row in 0..<count {
            for day in 0..<days {
                if observed[row, day] { latest[row] = atEnd[row, day] } else { atEnd[row, day] = latest[row] }
            }
        }
        return atEnd
    }
}

/// Which of a run of consecutive report days a time falls in.
struct DayIndex: Sendable {
    private let starts: [UnixSeconds]
    /// The period: the first day's start to the last day's end.
    let start: UnixSeconds
    let end: UnixSeconds

    init(_ windows: [ReportWindow]) {
        starts = windows.map(\.start)
        start = starts.first ?? 0
        end = windows.last?.end ?? 0
    }

    /// The day's position, or nil outside the period.
    func day(of time: UnixSeconds) -> Int? {
        guard time >= start, time < end else { return nil }
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= time { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
