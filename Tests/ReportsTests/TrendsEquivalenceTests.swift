import BatchMetrics
import FPModel
import HistoryStore
import Testing

/// The 30-day trends must give, day by day, what each day's night gives (with a configured subset too).
@Suite struct TrendsEquivalenceTests {
    @Test(arguments: [nil, Set(["acc-1", "acc-3"])] as [Set<String>?])
    func bulkTrendsEqualDailySummaries(configured: Set<String>?) async throws {
        let store = try await ReportFixture.history()
        let engine = MetricsEngine(history: store, configuredAccounts: configured)
        let last = ReportWindow(date: "2026-11-15", timeZone: ReportFixture.zone)!
        let trends = try await engine.trends(endingWith: last, days: 6)
        #expect(trends.fleet.map(\.date) == ["2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13", "2026-11-14", "2026-11-15"])
        for (offset, point) in trends.fleet.enumerated() {
            let night = try await engine.night(last.shifted(byDays: offset - 5))
            #expect(point.hasData == night.hasData, "\(point.date)")
            #expect(point.completed == night.fleetCompleted, "\(point.date)")
            #expect(point.failed == night.fleetFailed, "\(point.date)")
            #expect(point.stopped == night.fleetStopped, "\(point.date)")
            #expect(point.progressGain == night.fleetProgressGain, "\(point.date)")
            for status in night.statuses {
                #expect(point.atEnd[status.status] == status.atEnd, "\(point.date) \(status.status)")
            }
            for account in night.accounts {
                let mine = try #require(trends.accounts[account.accountID]?[offset])
                #expect(mine.completed == account.completed && mine.failed == account.failed, "\(point.date) \(account.accountID)")
                #expect(mine.progressGain == account.progressGain, "\(point.date) \(account.accountID)")
                #expect(mine.atEnd == (account.countsAtEnd ?? [:]), "\(point.date) \(account.accountID)")
                // A day has data for an account when it was collected successfully that day.
                #expect(mine.hasData == (night.hasData && account.hasData), "\(point.date) \(account.accountID)")
            }
        }
        #expect(trends.fleet.contains { $0.completed > 0 })
        #expect(trends.fleet.contains { !$0.hasData })
    }
}
