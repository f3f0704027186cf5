import FPModel
import HistoryStore

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

    /// What one account's batches did on one day, counted by the one rule for "entered a status"
    /// (``add(_:baseline:)``): the night's figures are the one-day case of the same grid.
    /// A day's counts fit 32 bits many times over.
    struct DayActivity: Sendable, Hashable {
        var pending: Int32 = 0
        var inProgress: Int32 = 0
        var completed: Int32 = 0
        var failed: Int32 = 0
        var stopped: Int32 = 0
        var disappeared: Int32 = 0
        var reappeared: Int32 = 0

        /// Counts `event` of an account first collected at `baseline`.
        ///
        /// A status change is an entry; so is a batch first seen after the account's first
        /// collection (it arrived, or arrived and moved, between two runs). What the first
        /// collection finds is the baseline, not news: counting it would report an account's whole
        /// past as one night's throughput.
        mutating func add(_ event: BatchEventRecord, baseline: UnixSeconds?) {
            add(EventTally(accountID: event.accountID, observedAt: event.observedAt, kind: event.kind, status: event.status, count: 1),
                baseline: baseline)
        }

        /// Counts the `tally.count` events a tally stands for, by the same rule.
        mutating func add(_ tally: EventTally, baseline: UnixSeconds?) {
            let count = Int32(clamping: tally.count)
            switch tally.kind {
            case .status: enter(tally.status, count)
            case .firstSeen: if let baseline, tally.observedAt > baseline { enter(tally.status, count) }
            case .disappeared: disappeared += count
            case .reappeared: reappeared += count
            case .progress: break
            }
        }

        private mutating func enter(_ status: BatchStatus, _ count: Int32) {
            switch status {
            case .pending: pending += count
            case .inProgress: inProgress += count
            case .completed: completed += count
            case .failed: failed += count
            case .stopped: stopped += count
            }
        }

        func entered(_ status: BatchStatus) -> Int {
            switch status {
            case .pending: Int(pending)
            case .inProgress: Int(inProgress)
            case .completed: Int(completed)
            case .failed: Int(failed)
            case .stopped: Int(stopped)
            }
        }

        /// The statuses entered at least once, with how many batches entered each.
        var entries: [BatchStatus: Int] {
            var entries: [BatchStatus: Int] = [:]
            for status in BatchStatus.allCases where entered(status) > 0 { entries[status] = entered(status) }
            return entries
        }
    }

    let days: [Day]
    /// Account id to its row in the grids.
    let rows: [String: Int]
    /// Whether the account had a successful fetch that day: a day without one is a gap.
    var fetched: DayGrid<Bool>
    var entered: DayGrid<DayActivity>
    var gains: DayGrid<Int>
    var atEnd: DayGrid<StatusCounts>
    /// Whether ``atEnd`` holds counts seen by the day's end, not the zeros before the first.
    var countsKnown: DayGrid<Bool>
    /// Whether the account counts in its scope's total that day: it is configured, or was
    /// collected that day (an account removed from the configuration counts on its last days).
    var counted: DayGrid<Bool>

    /// No accounts and no days.
    public static let empty = AccountSeries(
        days: [], rows: [:], fetched: .init(accounts: 0, days: 0, filledWith: false),
        entered: .init(accounts: 0, days: 0, filledWith: DayActivity()), gains: .init(accounts: 0, days: 0, filledWith: 0),
        atEnd: .init(accounts: 0, days: 0, filledWith: StatusCounts()), countsKnown: .init(accounts: 0, days: 0, filledWith: false),
        counted: .init(accounts: 0, days: 0, filledWith: false))

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
            atEnd: atEnd[row, day], countsKnown: countsKnown[row, day], progressGain: gains[row, day], hours: days[day].hours)
    }

    /// The series of `ids` only (those that have one).
    public func restricted(to ids: Set<String>) -> AccountSeries {
        // Looked up by the scope's own ids: a manager's series costs their accounts, not the fleet's.
        let kept = ids.compactMap { id in rows[id].map { (id: id, row: $0) } }.sorted { $0.row < $1.row }
        let old = kept.map(\.row)
        return AccountSeries(
            days: days, rows: Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1.id, $0) }),
            fetched: fetched.rows(old), entered: entered.rows(old), gains: gains.rows(old), atEnd: atEnd.rows(old),
            countsKnown: countsKnown.rows(old), counted: counted.rows(old))
    }

    /// The series of the scope these accounts make: each day, the sum of their points on the days
    /// they count. The fleet's series and a manager's are this, over their own accounts.
    public func total() -> [DailyPoint] {
        var total = days.map {
            DailyPoint(
                date: $0.date, hasData: $0.hasRun, completed: 0, failed: 0, stopped: 0, enteredPending: 0, atEnd: StatusCounts(),
                progressGain: 0, hours: $0.hours)
        }
        for row in 0..<count {
            for day in days.indices where counted[row, day] {
                let point = point(row: row, day: day)
                total[day].completed += point.completed
                total[day].failed += point.failed
                total[day].stopped += point.stopped
                total[day].enteredPending += point.enteredPending
                total[day].progressGain += point.progressGain
                total[day].atEnd += point.atEnd
                total[day].countsKnown = total[day].countsKnown || point.countsKnown
            }
        }
        return total
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
