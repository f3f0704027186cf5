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
    /// Batch counts at the day's end (its latest successful fetch by then, carried forward).
    public var atEnd: StatusCounts
    /// Whether ``atEnd`` is known: some successful fetch by the day's end (for a scope, of any of
    /// its accounts). A day without data still has counts at its end; before the first, none.
    public var countsKnown: Bool = false
    public var progressGain: Int
    public var hours: Double

    public var finished: Int { completed + failed + stopped }
    public var failureRate: Double? { Rates.ratio(failed, finished) }
    public var stopRate: Double? { Rates.ratio(stopped, finished) }
    public var pointsPerHour: Double { Double(progressGain) / hours }
}

/// Daily trends of one scope (the fleet, a manager's accounts) and its accounts.
public struct Trends: Sendable {
    /// Oldest first, ending with the report's own day: the total of ``accounts``, kept so the
    /// two cannot disagree.
    public private(set) var fleet: [DailyPoint]
    /// Per account, oldest first.
    public private(set) var accounts: AccountSeries

    init(accounts: AccountSeries) {
        self.accounts = accounts
        fleet = accounts.total()
    }

    /// No days.
    public static let empty = Trends(accounts: .empty)

    /// The day before the report day and the same day a week before (nil outside the series).
    public var dayBefore: DailyPoint? { fleet.count >= 2 ? fleet[fleet.count - 2] : nil }
    public var weekBefore: DailyPoint? { fleet.count >= 8 ? fleet[fleet.count - 8] : nil }

    /// The trends of the scope that `ids` make, from their series alone (SPEC section 4, Scopes).
    public func scoped(to ids: Set<String>) -> Trends { Trends(accounts: accounts.restricted(to: ids)) }
}

extension MetricsEngine {
    /// The `days` days ending with `window`, per account and for the fleet.
    public func trends(endingWith window: ReportWindow, days: Int = 30) async throws -> Trends {
        let windows = stride(from: days - 1, through: 0, by: -1).map { window.shifted(byDays: -$0) }
        guard !windows.isEmpty else { return .empty }
        return Trends(accounts: try await accountDays(windows, known: try await history.accounts(), countsAtEnd: true))
    }

    /// Every account's activity on each of `windows` (consecutive days): what it entered, its
    /// progress, whether the day has data, and (with `countsAtEnd`) its counts at each day's end.
    ///
    /// The one place these are counted: the night's figures are the one-day case, the trends the
    /// 30-day case. Four range reads for the whole period, each folded row by row into a grid of
    /// accounts × days, rather than one summary per day (minutes against seconds on 10,000
    /// accounts) or a month of rows held in memory. Accounts neither configured nor collected in
    /// the period are left out; one collected but no longer configured counts on the days it was.
    func accountDays(_ windows: [ReportWindow], known: [AccountRecord], countsAtEnd: Bool) async throws -> AccountSeries {
        let days = windows.count
        let calendar = DayIndex(windows)
        let (start, end) = (calendar.start, calendar.end)
        let rows = Dictionary(known.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let baselines = known.map(\.firstCollectedAt)
        let count = known.count

        // Two marks per account and day: fetched at all (whether it counts that day) and fetched
        // successfully (whether the day has data: SPEC section 4, Gaps).
        // The four reads are independent: on a file database they run side by side, one reader
        // connection each, so the period costs its longest read rather than their sum.
        async let marks = history.reduceFetchMarks(
            from: start, to: end,
            into: { (DayGrid(accounts: count, days: days, filledWith: false), DayGrid(accounts: count, days: days, filledWith: false)) }
        ) { grids, fetch in
            guard let row = rows[fetch.accountID], let day = calendar.day(of: fetch.observedAt) else { return }
            grids.0[row, day] = true
            if fetch.outcome == .ok { grids.1[row, day] = true }
        }
        async let activity = history.reduceEventTallies(
            from: start, to: end, into: { DayGrid(accounts: count, days: days, filledWith: AccountSeries.DayActivity()) }
        ) { grid, tally in
            guard let row = rows[tally.accountID], let day = calendar.day(of: tally.observedAt) else { return }
            grid[row, day].add(tally, baseline: baselines[row])
        }
        async let progress = history.reduceProgressSteps(from: start, to: end, into: { DayGrid(accounts: count, days: days, filledWith: 0) }) {
            grid, step in
            guard let row = rows[step.accountID], let day = calendar.day(of: step.observedAt) else { return }
            grid[row, day] += step.gain
        }
        async let counts = countsAtEnd
            ? endOfDayCounts(rows: rows, days: days, calendar: calendar)
            : (counts: DayGrid(accounts: count, days: days, filledWith: StatusCounts()), known: DayGrid(accounts: count, days: days, filledWith: false))
        let (fetched, succeeded) = try await marks
        let (entered, gains, atEnd) = try await (activity, progress, counts)

        var runDays = Set<Int>()
        for run in try await history.runs(from: start, to: end) { if let day = calendar.day(of: run.asOf) { runDays.insert(day) } }
        let calendarDays = windows.enumerated().map { AccountSeries.Day(date: $1.date, hours: $1.hours, hasRun: runDays.contains($0)) }

        var counted = DayGrid(accounts: count, days: days, filledWith: false)
        var kept = Set<String>()
        for (row, account) in known.enumerated() {
            let configured = configuredAccounts?.contains(account.id) ?? true
            guard configured || (0..<days).contains(where: { fetched[row, $0] }) else { continue }
            kept.insert(account.id)
            for day in 0..<days { counted[row, day] = configured || fetched[row, day] }
        }
        let series = AccountSeries(
            days: calendarDays, rows: rows, fetched: succeeded, entered: entered, gains: gains, atEnd: atEnd.counts,
            countsKnown: atEnd.known, counted: counted)
        return kept.count < known.count ? series.restricted(to: kept) : series
    }

    /// Each account's counts at each day's end: those of its latest successful fetch at or before
    /// it, carried forward over days without one; and whether there is one by then (before its
    /// first, the counts are unknown: zeros in the grid, empty in a report).
    private func endOfDayCounts(
        rows: [String: Int], days: Int, calendar: DayIndex
    ) async throws -> (counts: DayGrid<StatusCounts>, known: DayGrid<Bool>) {
        let count = rows.count
        // Declared apart so the tuple's grids move into them: both stay unshared and are filled in place.
        var atEnd: DayGrid<StatusCounts>
        var known: DayGrid<Bool>
        (atEnd, known) = try await history.reduceLastStatusCounts(
            inPeriods: calendar.bounds,
            into: { (DayGrid(accounts: count, days: days, filledWith: StatusCounts()), DayGrid(accounts: count, days: days, filledWith: false)) }
        ) { grids, counts in
            guard let row = rows[counts.accountID], let day = calendar.day(of: counts.observedAt) else { return }
            grids.0[row, day] = counts.counts
            grids.1[row, day] = true
        }
        var latest = [StatusCounts](repeating: StatusCounts(), count: count)
        var seen = [Bool](repeating: false, count: count)
        for counts in try await history.statusCounts(atOrBefore: calendar.start - 1) {
            if let row = rows[counts.accountID] { (latest[row], seen[row]) = (counts.counts, true) }
        }
        for row in 0..<count {
            for day in 0..<days {
                // `known` marks the days observed until here; from here on, the days known by their end.
                if known[row, day] { (latest[row], seen[row]) = (atEnd[row, day], true) } else { atEnd[row, day] = latest[row] }
                known[row, day] = seen[row]
            }
        }
        return (atEnd, known)
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

    /// Each day's start, then the last day's end.
    var bounds: [UnixSeconds] { starts.isEmpty ? [] : starts + [end] }

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
