import BatchMetrics
import FPModel
import Foundation
import HistoryStore
import SQLiteHistory
import Testing

/// A fleet collected several times a day (as the demo is): each day of the trends takes the day's
/// last successful counts and every run's entries, exactly as that day's own night does.
@Suite struct SeveralRunsADayTests {
    @Test func trendsEqualEachDaysNightWithThreeRunsADay() async throws {
        // Given five days of 60 accounts, collected three times a day.
        let start: Int64 = 1_790_000_000
        let store = try SQLiteHistoryStore.inMemory()
        try await SyntheticHistory(accounts: 60, nights: 5, start: start, runsPerDay: 3).write(into: store)
        let last = ReportWindow(containing: Date(unixSeconds: start + 4 * 86_400), timeZone: .gmt)
        for offset in 0..<5 {
            let day = last.shifted(byDays: offset - 4)
            #expect(try await store.runs(from: day.start, to: day.end).count == 3, "\(day.date)")
        }

        // When the trends and each day's night are computed.
        let engine = MetricsEngine(history: store)
        let trends = try await engine.trends(endingWith: last, days: 5)

        // Then they agree day by day, for the fleet and for every account.
        for (offset, point) in trends.fleet.enumerated() {
            let night = try await engine.night(last.shifted(byDays: offset - 4))
            #expect(point.hasData && night.hasData, "\(point.date)")
            #expect(point.completed == night.fleetCompleted && point.failed == night.fleetFailed, "\(point.date)")
            #expect(point.progressGain == night.fleetProgressGain, "\(point.date)")
            for status in night.statuses {
                #expect(point.atEnd[status.status] == status.atEnd, "\(point.date) \(status.status)")
            }
            for account in night.accounts {
                let mine = try #require(trends.accounts[account.accountID]?[offset])
                #expect(mine.atEnd == (account.countsAtEnd ?? [:]), "\(point.date) \(account.accountID)")
                #expect(mine.completed == account.completed && mine.progressGain == account.progressGain, "\(point.date) \(account.accountID)")
            }
        }
        // The later runs of a day matter: the day's last counts differ from its first run's.
        let firstRunOfLastDay = try await store.runs(from: last.start, to: last.end).first!
        let atFirstRun = try await store.statusCounts(atOrBefore: firstRunOfLastDay.asOf)
        let atEnd = try await store.statusCounts(atOrBefore: last.end - 1)
        #expect(atFirstRun.map(\.counts) != atEnd.map(\.counts))
        #expect(trends.fleet.contains { $0.completed > 0 })
    }
}
