import FPModel
import FirstPromoterAPI
import Foundation
import HistoryStore
import Logging

/// One collection run over every account (SPEC sections 1 and 3).
///
/// A bounded fan-out (never more than `concurrency` accounts, so requests, in flight), five status
/// calls per account, retries with full jitter, and one store transaction per account written as
/// soon as that account is done, so what was collected survives a later failure.
public struct Collector: Sendable {
    /// How the run behaves.
    public struct Configuration: Sendable {
        public var concurrency: Int
        public var retry: RetryPolicy
        /// An account not done by then is cut short and recorded as `timeout`.
        public var accountDeadlineSeconds: Double
        public var toolVersion: String
        public var configDigest: String

        public init(
            concurrency: Int = 16, retry: RetryPolicy = RetryPolicy(), accountDeadlineSeconds: Double = 300,
            toolVersion: String, configDigest: String
        ) {
            self.concurrency = concurrency
            self.retry = retry
            self.accountDeadlineSeconds = accountDeadlineSeconds
            self.toolVersion = toolVersion
            self.configDigest = configDigest
        }
    }

    /// The key for an account, or a reason it has none (named variable unset, …).
    public typealias KeyProvider = @Sendable (Account) -> Result<APIKey, KeyUnavailable>

    /// Why an account has no key; says which variable or file, never a value.
    public struct KeyUnavailable: Error, Sendable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    public let configuration: Configuration
    public let client: FirstPromoterClient
    public let store: any HistoryWriter
    public let keys: KeyProvider
    public let logger: Logger
    /// Waits between attempts; tests pass one that does not sleep.
    public let sleep: @Sendable (Double) async throws -> Void
    /// A uniform draw in [0, 1) for jitter.
    public let random: @Sendable () -> Double
    /// Wall-clock now, for run records and leases.
    public let now: @Sendable () -> Date

    public init(
        configuration: Configuration, client: FirstPromoterClient, store: any HistoryWriter, keys: @escaping KeyProvider,
        logger: Logger,
        sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(for: .seconds($0)) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.client = client
        self.store = store
        self.keys = keys
        self.logger = logger
        self.sleep = sleep
        self.random = random
        self.now = now
    }

    /// Collects every account at observation time `asOf`; `progress(done, total)` is called as accounts finish.
    public func run(
        accounts: [Account], asOf: Date, holder: String,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> CollectionReport {
        let started = now()
        let runID = try await store.beginRun(RunStart(
            asOf: asOf.unixSeconds, startedAt: started.unixSeconds, toolVersion: configuration.toolVersion,
            configDigest: configuration.configDigest, holder: holder))
        var tally = Tally()
        var storeError: (any Error)?

        await withTaskGroup(of: Result<(AccountFetchResult, AccountWriteSummary), any Error>.self) { group in
            var pending = accounts.makeIterator()
            func startNext() {
                guard let account = pending.next() else { return }
                group.addTask {
                    let result = await collect(account)
                    do {
                        return .success((result, try await store.record(result, run: runID)))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<max(1, configuration.concurrency) { startNext() }
            var lastHeartbeat = started
            while let finished = await group.next() {
                switch finished {
                case .success(let (result, written)):
                    tally.add(result, written)
                    progress(tally.done, accounts.count)
                    if storeError == nil { startNext() }
                case .failure(let error):
                    // The store is gone (disk full, file removed): stop starting accounts, keep what is written.
                    storeError = storeError ?? error
                    group.cancelAll()
                }
                let current = now()
                if storeError == nil, current.timeIntervalSince(lastHeartbeat) >= 30 {
                    lastHeartbeat = current
                    try? await store.heartbeat(run: runID, at: current.unixSeconds)
                }
            }
        }

        let finished = now()
        tally.totals.accountsTotal = accounts.count
        try await store.finishRun(
            runID, state: storeError == nil ? .finished : .aborted, totals: tally.totals,
            finishedAt: finished.unixSeconds)
        if let storeError { throw storeError }
        return CollectionReport(
            runID: runID, asOf: asOf.unixSeconds, totals: tally.totals, outcomes: tally.outcomes,
            failures: tally.failures.sorted { $0.accountID < $1.accountID },
            latencyP50Millis: nearestRank(tally.latencies, 0.5), latencyP95Millis: nearestRank(tally.latencies, 0.95),
            seconds: finished.timeIntervalSince(started), aborted: false)
    }

    /// Running totals of the run, kept by the one task that consumes results.
    private struct Tally {
        var totals = RunTotals()
        var outcomes: [FetchOutcome: Int] = [:]
        var failures: [(accountID: String, outcome: FetchOutcome, detail: String)] = []
        var latencies: [Int] = []
        var done = 0

        mutating func add(_ result: AccountFetchResult, _ written: AccountWriteSummary) {
            done += 1
            outcomes[result.outcome, default: 0] += 1
            totals.requests += result.requests
            totals.retries += result.retries
            totals.rateLimited += result.rateLimited
            totals.eventsWritten += written.eventsWritten
            totals.anomalies += result.anomalies.count
            if result.outcome == .ok {
                totals.accountsOK += 1
            } else {
                totals.accountsFailed += 1
                failures.append((result.account.id, result.outcome, result.error ?? ""))
            }
            if result.requests > 0 { latencies.append(result.latencyMillis) }
        }
    }
}
