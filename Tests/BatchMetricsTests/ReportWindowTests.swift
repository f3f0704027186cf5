import BatchMetrics
import FPModel
import Foundation
import Testing

@Suite struct ReportWindowTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    @Test func aNormalDayIsLocalMidnightToMidnight() throws {
        let window = try #require(ReportWindow(date: "2026-11-14", timeZone: berlin))
        #expect(ISO8601.format(Date(unixSeconds: window.start), in: .gmt) == "2026-11-13T23:00:00Z")
        #expect(window.hours == 24)
    }

    @Test func daylightSavingDaysAre23And25Hours() throws {
        #expect(try #require(ReportWindow(date: "2026-03-29", timeZone: berlin)).hours == 23)
        #expect(try #require(ReportWindow(date: "2026-10-25", timeZone: berlin)).hours == 25)
        let newYork = TimeZone(identifier: "America/New_York")!
        #expect(try #require(ReportWindow(date: "2026-11-01", timeZone: newYork)).hours == 25)
    }

    @Test func previousAndShiftedDays() throws {
        let window = try #require(ReportWindow(date: "2026-03-30", timeZone: berlin))
        #expect(window.previous.date == "2026-03-29")
        #expect(window.previous.hours == 23)
        #expect(window.shifted(byDays: -30).date == "2026-02-28")
        #expect(window.shifted(byDays: 2).date == "2026-04-01")
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "26-11-01", "2026-11-1", "yesterday", ""])
    func rejectsWhatIsNotADate(_ text: String) {
        #expect(ReportWindow(date: text, timeZone: berlin) == nil)
    }
}
