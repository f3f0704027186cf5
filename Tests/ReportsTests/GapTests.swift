import BatchMetrics
import FPModel
import FPTestSupport
import Foundation
import HistoryStore
import SQLiteHistory
import Testing

@testable import Reports

/// An account with no successful fetch in the window has empty in-window figures, never 0, in
/// every format (SPEC section 4, "Gaps").
@Suite struct GapTests {
    @Test func anAccountWhoseWindowHasNoSuccessfulFetchShowsGapsNotZeros() async throws {
        // Given: "ok" is collected in both runs; "down" only the day before the window, and fails in
        // it; "late" is first collected in the window.
        let window = ReportWindow(date: "2026-11-14", timeZone: .gmt)!
        let store = try SQLiteHistoryStore.inMemory()
        let ok = Account(id: "ok", name: "OK", manager: "m")
        let down = Account(id: "down", name: "Down", manager: "m")
        let late = Account(id: "late", name: "Late", manager: "m")
        for (asOf, downFails) in [(window.start - 3600, false), (window.start + 3600, true)] {
            let run = try await store.beginRun(RunStart(asOf: asOf, startedAt: asOf, toolVersion: "t", configDigest: "d", holder: "h"))
            let batches = [BatchObservation(batchID: "1", status: .completed, progress: 100)]
            _ = try await store.record(AccountFetchResult(account: ok, outcome: .ok, httpStatus: 200, requests: 5, observations: batches), run: run)
            let result = downFails
                ? AccountFetchResult(account: down, outcome: .serverError, httpStatus: 500, requests: 3, error: "boom")
                : AccountFetchResult(account: down, outcome: .ok, httpStatus: 200, requests: 5, observations: batches)
            _ = try await store.record(result, run: run)
            if downFails {
                _ = try await store.record(AccountFetchResult(account: late, outcome: .ok, httpStatus: 200, requests: 5, observations: batches), run: run)
            }
            try await store.finishRun(run, state: .finished, totals: RunTotals(), finishedAt: asOf + 10)
        }
        let engine = MetricsEngine(history: store)
        let data = ReportData(
            night: try await engine.night(window), trends: try await engine.trends(endingWith: window, days: 2),
            thresholds: .init(), toolVersion: "t")

        // Then accounts.csv: "down" keeps its counts from before, and its in-window figures are empty.
        let csv = CSVWriter(timeZone: .gmt).render(ReportTables.accounts(data)).components(separatedBy: "\r\n")
        #expect(csv.contains("2026-11-14,down,Down,m,0,0,1,0,0,2026-11-13T23:00:00Z,,,,,,,,,0,0,failed,server_error (HTTP 500): boom"))
        #expect(csv.contains { $0.hasPrefix("2026-11-14,ok,OK,m,0,0,1,0,0,2026-11-14T01:00:00Z,0,0,0,,,0,,,0,0,ok,") })

        // And daily.csv: the day before has data for "ok" and "down"; the window's day is a gap for
        // "down" (its fetch failed: has_data 0, in-day figures empty) whose counts at the end are
        // those of its last successful fetch, as in accounts.csv. Before its first collection,
        // "late" has no counts at all.
        let daily = CSVWriter(timeZone: .gmt).render(ReportTables.daily(data)).components(separatedBy: "\r\n")
        #expect(daily.contains("2026-11-14,account,down,0,,,,,,,0,0,1,0,0,"))
        #expect(daily.contains("2026-11-13,account,late,0,,,,,,,,,,,,"))
        #expect(daily.contains { $0.hasPrefix("2026-11-14,account,late,1,") })
        #expect(daily.contains { $0.hasPrefix("2026-11-13,account,down,1,") })
        #expect(daily.contains { $0.hasPrefix("2026-11-14,account,ok,1,") })

        // And the pages show a gap for it, not a zero.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try ReportBuilder(formats: [.html]).write(data, into: folder.url)
        let page = try String(contentsOfFile: folder.path("accounts/\(Slug.make("down")).html"), encoding: .utf8)
        #expect(page.contains("<li>Completed<b><span class=\"na\" title=\"no successful collection in the window\">–</span></b>"))
        let index = try String(contentsOfFile: folder.path("assets/accounts.js"), encoding: .utf8)
        #expect(index.contains("[\"down\",\"Down\",\"m\",\"\(Slug.make("down"))\",\"–\",\"–\",\"–\""))
    }
}
