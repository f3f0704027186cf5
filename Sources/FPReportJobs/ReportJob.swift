import BatchMetrics
import FPConfig
import FPModel
import Foundation
import HistoryBackends
import HistoryStore
import Reports

/// `fpreport report`: computes one night's metrics and publishes its report folder.
public struct ReportJob: Sendable {
    /// What was published.
    public struct Published: Sendable {
        public var folder: URL
        public var files: [String]
        public var window: ReportWindow
    }

    public var config: FPConfiguration
    public var builder: ReportBuilder

    public init(config: FPConfiguration, builder: ReportBuilder = ReportBuilder()) {
        self.config = config
        self.builder = builder
    }

    /// Reports `date` (`YYYY-MM-DD` in the report time zone); with nil, the day of the latest run.
    public func run(
        date: String?, store: (any HistoryReader)? = nil, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Published {
        let history = try await config.history(given: store)
        let zone = config.reports.timezone
        let window: ReportWindow
        if let date {
            guard let parsed = ReportWindow(date: date, timeZone: zone) else {
                throw ConfigError(file: "--as-of", "expected a calendar date YYYY-MM-DD, got \"\(Excerpt.printable(date))\"")
            }
            window = parsed
        } else {
            guard let latest = try await history.lastRun(before: .max) else {
                throw ReportError("the history at \(config.database) has no runs yet; run fpreport collect first")
            }
            window = ReportWindow(containing: Date(unixSeconds: latest.asOf), timeZone: zone)
        }
        let thresholds = MetricsEngine.Thresholds(
            stuckAfterSeconds: Int64(config.metrics.stuckAfterHours * 3600),
            pendingAfterSeconds: Int64(config.metrics.pendingAfterHours * 3600),
            minFinishedForRanking: config.metrics.minFinishedForRanking)
        let engine = MetricsEngine(
            history: history, thresholds: thresholds, configuredAccounts: Set(config.accounts.map(\.id)))
        // One after the other: each reads side by side within itself, and the two at once would
        // hold both working sets (40 MB more at 10,000 accounts, past the 150 MB budget).
        let night = try await engine.night(window)
        let data = ReportData(
            night: night, trends: try await engine.trends(endingWith: window), thresholds: thresholds,
            toolVersion: FPReportVersion.current)
        let publisher = ReportPublisher(root: URL(fileURLWithPath: config.reports.directory))
        var files: [String] = []
        let folder = try publisher.publish(date: window.date) { folder in
            files = try builder.write(data, into: folder, progress: progress)
        }
        return Published(folder: folder, files: files, window: window)
    }
}
