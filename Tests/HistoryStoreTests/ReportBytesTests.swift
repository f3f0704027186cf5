import BatchMetrics
import FPModel
import FPTestSupport
import Foundation
import HistoryStore
import Reports
import Testing

/// A report built from a PostgreSQL history is byte for byte the one built from SQLite over the
/// same runs and observations, in every format (SPEC section 3.1).
@Suite struct ReportBytesTests {
    static func report(from store: any HistoryReader, into folder: TemporaryDirectory) async throws -> [String: Data] {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        // The history runs from 2027-01-15 08:00 UTC for four days.
        let window = try #require(ReportWindow(date: "2027-01-17", timeZone: zone))
        let thresholds = MetricsEngine.Thresholds(minFinishedForRanking: 1)
        let engine = MetricsEngine(history: store, thresholds: thresholds)
        let data = ReportData(
            night: try await engine.night(window), trends: try await engine.trends(endingWith: window, days: 7),
            thresholds: thresholds, toolVersion: "test")
        let files = try ReportBuilder().write(data, into: folder.url)
        var contents: [String: Data] = [:]
        for file in files { contents[file] = try Data(contentsOf: folder.url.appendingPathComponent(file)) }
        return contents
    }

    @Test(arguments: Backend.server)
    func aReportFromPostgreSQLIsTheReportFromSQLite(_ backend: Backend) async throws {
        let sqlite = try await Backend.sqlite.open()
        let other = try await backend.open()
        try await ConformanceTests.writeHistory(into: sqlite.store)
        try await ConformanceTests.writeHistory(into: other.store)
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        defer { first.remove(); second.remove() }
        let expected = try await Self.report(from: sqlite.store, into: first)
        let actual = try await Self.report(from: other.store, into: second)
        // Every format is there, and the night has batches in its tables.
        #expect(expected.keys.contains("report.xlsx") && expected.keys.contains("index.html") && expected.keys.contains("csv/batches.csv"))
        #expect((expected["csv/batches.csv"]?.count ?? 0) > 500)
        #expect(Set(actual.keys) == Set(expected.keys))
        for (file, bytes) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(actual[file] == bytes, "\(file) differs")
        }
    }
}
