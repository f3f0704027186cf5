import Collector
import FPConfig
import FPModel
import FirstPromoterAPI
import Foundation
import HistoryBackends
import HistoryStore
import Logging
import NIOCore

/// `fpreport collect`: one collection run over every configured account into the history.
public struct CollectJob: Sendable {
    public var config: FPConfiguration
    public var keys: Collector.KeyProvider
    public var logger: Logger
    /// Collect even when another process holds the run lock (for a run the operator knows is hung).
    public var force = false
    /// Wall-clock now for run records; the demo runs on the simulator's virtual clock instead.
    public var now: @Sendable () -> Date = { Date() }

    public init(config: FPConfiguration, keys: @escaping Collector.KeyProvider, logger: Logger) {
        self.config = config
        self.keys = keys
        self.logger = logger
    }

    /// Collects at `asOf` (now when nil) into the configured database.
    public func run(
        asOf: Date? = nil, store: (any HistoryDatabase)? = nil, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> CollectionReport {
        let store = try await config.history(given: store)
        let shared = store as? any SharedRunDatabase
        // The run lock first: while we hold it no prune deletes under us. Alone (SQLite), any run
        // the database still marks as running belongs to a process that died: it is taken over.
        // Shared (a database server), collectors on other hosts hold it too and join our run.
        let lock: (any RunLease)?
        do {
            // A prune holding the lock is waited for (it ends); another collection is not.
            let isPrune: @Sendable (String) -> Bool = { $0.hasPrefix(RunLockHolder.prunePrefix) }
            if let shared {
                lock = try await shared.acquireSharedRunLock(holder: Self.holder, waitSeconds: Self.pruneWaitSeconds, waitFor: isPrune)
            } else {
                lock = try await store.acquireRunLock(holder: Self.holder, waitSeconds: Self.pruneWaitSeconds, waitFor: isPrune)
            }
        } catch let error as HistoryStoreError where error.isLeaseHeld && force {
            logger.warning("--force: collecting although another run holds the lock", metadata: ["holder": "\(error.holder ?? "?")"])
            lock = nil
        }
        defer { withExtendedLifetime(lock) {} }
        let httpClient = FirstPromoterClient.makeHTTPClient(
            connectTimeout: .milliseconds(Int64(config.api.connectTimeoutSeconds * 1000)), concurrency: config.api.concurrency)
        let client = FirstPromoterClient(
            configuration: .init(
                baseURL: config.api.baseURL, requestTimeout: .milliseconds(Int64(config.api.timeoutSeconds * 1000)),
                maxBodyBytes: config.api.maxBodyBytes, userAgent: "fpreport/\(FPReportVersion.current)"),
            httpClient: httpClient, logger: logger)
        var settings = Collector.Configuration(
            concurrency: config.api.concurrency, retry: RetryPolicy(maxAttempts: config.api.maxAttempts),
            requestsPerMinutePerAccount: config.api.requestsPerMinutePerAccount,
            accountDeadlineSeconds: config.api.accountDeadlineSeconds, runDeadlineSeconds: config.api.runDeadlineSeconds,
            toolVersion: FPReportVersion.current, configDigest: config.digest)
        let part = shared.map {
            SharedRun(
                database: $0, accounts: config.accounts, holder: Self.holder, chunkSize: config.sharedRun.chunkSize,
                leaseSeconds: Int64(config.sharedRun.leaseSeconds), deadline: Date().addingTimeInterval(config.api.runDeadlineSeconds))
        }
        if part != nil {
            // Claims are renewed with the heartbeat, well inside their lease.
            settings.heartbeatSeconds = min(30, Double(config.sharedRun.leaseSeconds) / 3)
        }
        let collector = Collector(
            configuration: settings, client: client,
            store: part.map { $0 as any HistoryWriter } ?? TakeoverWriter(store: store, logger: logger), keys: keys, logger: logger,
            now: now)
        let result: Result<CollectionReport, any Error>
        do {
            if let part {
                // Collectors started by the same cron minute on several hosts must name one run.
                let observed = asOf ?? Self.minute(containing: Date())
                var report = try await collector.run(source: part, asOf: observed, holder: Self.holder, progress: progress)
                report.sharedRun = await part.progress
                report.lostClaims = await part.lostClaims
                report.leftOutsideList = await part.leftOutsideList
                result = .success(report)
            } else {
                result = .success(try await collector.run(
                    accounts: config.accounts, asOf: asOf ?? Date(), holder: Self.holder, progress: progress))
            }
        } catch {
            result = .failure(error)
        }
        try? await httpClient.shutdown()
        return try result.get()
    }

    /// The start of the minute `date` falls in: the observation time of a shared run without `--as-of`.
    static func minute(containing date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
    }

    /// How long a collection waits for a prune that holds the lock.
    static let pruneWaitSeconds = 3600.0

    /// `host:pid`, shown to a second run that finds the lease taken.
    static var holder: String { "\(ProcessInfo.processInfo.hostName):\(getpid())" }
}

/// Opens runs past the database lease: the caller holds the file lock, so any run still marked
/// as running is dead (its process released the lock by exiting).
struct TakeoverWriter: HistoryWriter {
    let store: any HistoryDatabase
    let logger: Logger

    func beginRun(_ start: RunStart) async throws -> RunID {
        for abandoned in try await store.liveRuns() {
            logger.warning("taking over an interrupted run", metadata: ["run": "\(abandoned.id)", "holder": "\(abandoned.holder)"])
        }
        return try await store.beginRun(start, force: true)
    }
    func record(_ result: AccountFetchResult, run: RunID) async throws -> AccountWriteSummary {
        try await store.record(result, run: run)
    }
    func heartbeat(run: RunID, at time: UnixSeconds) async throws { try await store.heartbeat(run: run, at: time) }
    func unhealthyAccounts(failedRuns runs: Int) async throws -> [String] { try await store.unhealthyAccounts(failedRuns: runs) }
    func finishRun(_ run: RunID, state: RunState, totals: RunTotals, finishedAt: UnixSeconds) async throws {
        try await store.finishRun(run, state: state, totals: totals, finishedAt: finishedAt)
    }
}

/// The version written into runs and shown by `--version`.
public enum FPReportVersion {
    public static let current = "0.1.0"
}
