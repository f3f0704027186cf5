import BatchMetrics
import FPConfig
import FPModel
import Foundation
import HistoryBackends
import HistoryStore
import Reports

/// `fpreport prune`: drops history older than N days and report folders beyond `reports.keep_nights`.
///
/// Never what the newest published report needs (its window and the 30 days of trends before it),
/// never the last known state of a batch or the last successful counts of an account, and never
/// the night `latest` points to.
public struct PruneJob: Sendable {
    /// What was (or, with a dry run, would be) removed.
    public struct Outcome: Sendable {
        public var cutoff: UnixSeconds
        public var history: PruneCounts
        public var reportFolders: [String]
    }

    public var config: FPConfiguration
    public var keepDays: Int
    public var dryRun: Bool
    /// How long to wait for a collection that holds the lock before giving up (exit 75).
    public var waitSeconds: Double = 3600
    public var now: @Sendable () -> Date = { Date() }

    public init(config: FPConfiguration, keepDays: Int, dryRun: Bool) {
        self.config = config
        self.keepDays = keepDays
        self.dryRun = dryRun
    }

    public func run(store: (any HistoryDatabase)? = nil) async throws -> Outcome {
        let store = try await config.history(given: store)
        // The run lock, as collect takes it: a prune never deletes under a running night.
        let lock = dryRun ? nil : try await store.acquireRunLock(
            holder: RunLockHolder.prunePrefix + CollectJob.holder, waitSeconds: waitSeconds, waitFor: { _ in true })
        defer { withExtendedLifetime(lock) {} }
        let publisher = ReportPublisher(root: URL(fileURLWithPath: config.reports.directory))
        var cutoff = now().unixSeconds - Int64(keepDays) * 86_400
        // The newest published night and the trend days before it stay.
        if let newest = publisher.latestDate(), let window = ReportWindow(date: newest, timeZone: config.reports.timezone) {
            cutoff = min(cutoff, window.shifted(byDays: -31).start)
        }
        let history = try await store.prune(before: cutoff, dryRun: dryRun)
        var folders: [String] = []
        if let keep = config.reports.keepNights {
            let latest = publisher.latestDate()
            folders = publisher.publishedDates().dropFirst(keep).filter { $0 != latest }
            if !dryRun {
                for folder in folders {
                    try FileManager.default.removeItem(at: publisher.root.appendingPathComponent(folder))
                }
                if !folders.isEmpty { try publisher.writeArchive() }
            }
        }
        return Outcome(cutoff: cutoff, history: history, reportFolders: folders)
    }
}
