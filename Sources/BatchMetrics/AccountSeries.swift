import FPModel

/// Every account's daily points over a run of days, stored by column.
///
/// A month of 10,000 accounts is 300,000 points: as `DailyPoint` structs that is 34 MB, plus the
/// grids they are built from. Kept as the grids themselves it is about 20 MB, and a point is made
/// only when a report asks for it.
public struct AccountSeries: Sendable {
    /// What every account shares on a day.
    struct Day: Sendable, Hashable {
        var date: String
        var hours: Double
        /// Whether any run was recorded that day.
        var hasRun: Bool
    }

    /// Batches that entered each status on one day (a day's entries fit 32 bits many times over).
    struct Entries: Sendable, Hashable {
        var pending: Int32 = 0
        var completed: Int32 = 0
        var failed: Int32 = 0
        var stopped: Int32 = 0

        mutating func count(_ status: BatchStatus) {
            switch status {
            case .pending: pending += 1
            case .completed: completed += 1
            case .failed: failed += 1
            case .stopped: stopped += 1
            case .inProgress: break
            }
        }
    }

    let days: [Day]
    /// Account id to its row in the grids.
    let rows: [String: Int]
    /// Whether the account had a successful fetch that day: a day without one is a gap.
    var fetched: DayGrid<Bool>
    var entered: DayGrid<Entries>
    var gains: DayGrid<Int>
    var atEnd: DayGrid<StatusCounts>

    /// No accounts and no days.
    public static let empty = AccountSeries(
        days: [], rows: [:], fetched: .init(accounts: 0, days: 0, filledWith: false),
        entered: .init(accounts: 0, days: 0, filledWith: Entries()), gains: .init(accounts: 0, days: 0, filledWith: 0),
        atEnd: .init(accounts: 0, days: 0, filledWith: StatusCounts()))

    /// How many accounts have a series.
    public var count: Int { rows.count }

    /// The accounts that have a series, in no particular order.
    public var ids: Dictionary<String, Int>.Keys { rows.keys }

    public func contains(_ id: String) -> Bool { rows[id] != nil }

    /// One account's points, oldest first; nil for an account without a series.
    public subscript(id: String) -> [DailyPoint]? {
        guard let row = rows[id] else { return nil }
        return days.indices.map { point(row: row, day: $0) }
    }

    /// One account's point on day `day` (0 is the oldest); nil for an account without a series.
    public func point(_ id: String, day: Int) -> DailyPoint? {
        rows[id].map { point(row: $0, day: day) }
    }

    /// The row of an account's series, for reading many of its points; nil without a series.
    public func row(of id: String) -> Int? { rows[id] }

    /// The point on day `day` of the account in `row` (from ``row(of:)``).
    public func point(row: Int, day: Int) -> DailyPoint {
        let entries = entered[row, day]
        return DailyPoint(
            date: days[day].date, hasData: days[day].hasRun && fetched[row, day], completed: Int(entries.completed),
            failed: Int(entries.failed), stopped: Int(entries.stopped), enteredPending: Int(entries.pending),
            atEnd: atEnd[row, day], progressGain: gains[row, day], hours: days[day].hours)
    }

    /// The series of `ids` only (those that have one).
    public func restricted(to ids: Set<String>) -> AccountSeries {
        let kept = rows.filter { ids.contains($0.key) }.sorted { $0.value < $1.value }
        let old = kept.map(\.value)
        return AccountSeries(
            days: days, rows: Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1.key, $0) }),
            fetched: fetched.rows(old), entered: entered.rows(old), gains: gains.rows(old), atEnd: atEnd.rows(old))
    }
}

/// A value per account and day in one flat array.
struct DayGrid<Value: Sendable>: Sendable {
    let days: Int
    private var values: [Value]

    init(accounts: Int, days: Int, filledWith value: Value) {
        self.days = days
        values = Array(repeating: value, count: accounts * days)
    }

    private init(days: Int, values: [Value]) {
        self.days = days
        self.values = values
    }

    subscript(account: Int, day: Int) -> Value {
        get { values[account * days + day] }
        set { values[account * days + day] = newValue }
    }

    /// A grid of the given accounts' rows, in that order.
    func rows(_ accounts: [Int]) -> DayGrid {
        var kept: [Value] = []
        kept.reserveCapacity(accounts.count * days)
        for account in accounts { kept += values[account * days ..< (account + 1) * days] }
        return DayGrid(days: days, values: kept)
    }
}
