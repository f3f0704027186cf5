import BatchMetrics
import Collector
import FPConfig
import FPModel
import Foundation
import HistoryBackends
import HistoryStore
import Logging
import Reports

/// `fpreport nightly`: collect, report the day that just ended in the report time zone, publish.
///
/// Safe to run twice: a second collection adds only what changed, and the report folder is
/// replaced whole. With a date, it rebuilds that night's report from the history (backfill)
/// without collecting.
public struct NightlyJob: Sendable {
    /// What one nightly run did.
    public struct Outcome: Sendable {
        /// Nil for a backfill, which does not collect.
        public var collection: CollectionReport?
        public var published: ReportJob.Published
    }

    public var collect: CollectJob
    public var builder: ReportBuilder
    /// Wall-clock now; tests set it to cross a daylight-saving night.
    public var now: @Sendable () -> Date = { Date() }

    public init(collect: CollectJob, builder: ReportBuilder = ReportBuilder()) {
        self.collect = collect
        self.builder = builder
    }

    /// Collects (unless `date` is given) and publishes the report of `date`, or of yesterday.
    ///
    /// A failed report after a successful collection throws ``NightlyError/reportFailed``
    /// carrying the collection, so the caller can still print its summary.
    public func run(
        date: String? = nil, store: (any HistoryDatabase)? = nil,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        reportProgress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Outcome {
        let config = collect.config
        let store = try await config.history(given: store)
        var collection: CollectionReport?
        let day: String
        if let date {
            day = date
        } else {
            // With a shared history the night's run is the current minute's, which collectors on
            // other hosts started by the same schedule join.
            let started = store is any SharedRunDatabase ? CollectJob.minute(containing: now()) : now()
            var job = collect
            job.now = now
            collection = try await job.run(asOf: started, store: store, progress: progress)
            day = ReportWindow(containing: started, timeZone: config.reports.timezone).previous.date
        }
        do {
            let published = try await ReportJob(config: config, builder: builder)
                .run(date: day, store: store, progress: reportProgress)
            return Outcome(collection: collection, published: published)
        } catch {
            throw NightlyError.reportFailed(collection: collection, underlying: error)
        }
    }
}

/// Why a nightly run failed after collecting.
public enum NightlyError: Error, CustomStringConvertible {
    case reportFailed(collection: CollectionReport?, underlying: any Error)

    public var description: String {
        switch self {
        case .reportFailed(_, let underlying): "the report could not be built: \(underlying)"
        }
    }
}
