import FPModel
import Foundation
import Testing

@testable import BatchMetrics

/// The columnar per-account series: points made on demand, restriction to a subset, day lookup.
@Suite struct AccountSeriesTests {
    /// Three accounts over two days; every figure differs so a mixed-up row or day shows.
    func series() -> AccountSeries {
        let rows = ["a": 0, "b": 1, "c": 2]
        var fetched = DayGrid(accounts: 3, days: 2, filledWith: true)
        fetched[1, 0] = false
        var entered = DayGrid(accounts: 3, days: 2, filledWith: AccountSeries.DayActivity())
        var gains = DayGrid(accounts: 3, days: 2, filledWith: 0)
        var atEnd = DayGrid(accounts: 3, days: 2, filledWith: StatusCounts())
        for row in 0..<3 {
            for day in 0..<2 {
                let n = Int32(10 * row + day)
                entered[row, day] = .init(pending: n, completed: n + 1, failed: n + 2, stopped: n + 3)
                gains[row, day] = Int(100 * row + day)
                atEnd[row, day] = [.inProgress: Int(1000 * row + day)]
            }
        }
        return AccountSeries(
            days: [.init(date: "2026-03-28", hours: 24, hasRun: true), .init(date: "2026-03-29", hours: 23, hasRun: true)],
            rows: rows, fetched: fetched, entered: entered, gains: gains, atEnd: atEnd, countsKnown: DayGrid(accounts: 3, days: 2, filledWith: true),
            counted: DayGrid(accounts: 3, days: 2, filledWith: true))
    }

    @Test func pointsComeFromTheirOwnRowAndDay() throws {
        let points = try #require(series()["b"])
        #expect(points.map(\.date) == ["2026-03-28", "2026-03-29"])
        #expect(points.map(\.hours) == [24, 23])
        #expect(points.map(\.hasData) == [false, true], "b was not fetched on the first day")
        #expect(points[1].enteredPending == 11 && points[1].completed == 12 && points[1].failed == 13 && points[1].stopped == 14)
        #expect(points[1].progressGain == 101)
        #expect(points[1].atEnd[.inProgress] == 1001)
        #expect(series()["nobody"] == nil)
        #expect(series().point("c", day: 0)?.progressGain == 200)
    }

    @Test func restrictionKeepsTheChosenAccountsUnchanged() throws {
        let all = series()
        let some = all.restricted(to: ["c", "a", "nobody"])
        #expect(some.count == 2)
        #expect(Set(some.ids) == ["a", "c"])
        #expect(!some.contains("b"))
        #expect(some["a"] == all["a"])
        #expect(some["c"] == all["c"])
    }

    @Test func daysAreFoundAcrossADaylightSavingChange() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
        let last = try #require(ReportWindow(date: "2026-03-30", timeZone: zone))
        let windows = (0..<3).reversed().map { last.shifted(byDays: -$0) }
        let index = DayIndex(windows)
        #expect(windows[1].hours == 23)
        #expect(index.day(of: windows[0].start - 1) == nil)
        #expect(index.day(of: windows[0].start) == 0)
        #expect(index.day(of: windows[1].start - 1) == 0)
        #expect(index.day(of: windows[1].start) == 1)
        #expect(index.day(of: windows[1].end - 1) == 1)
        #expect(index.day(of: windows[2].start) == 2)
        #expect(index.day(of: windows[2].end - 1) == 2)
        #expect(index.day(of: windows[2].end) == nil)
    }
}
