import FPModel
import FirstPromoterAPI
import Foundation
import HistoryStore
import Logging

/// One collection run over every account (SPEC sections 1 and 3).
///
/// A bounded fan-out (never more than `concurrency` accounts, so requests, in flight), five status
/// calls per account, retries with full jitter under a run-wide budget, a token bucket per account,
/// a limiter that halves on 429, a circuit breaker, deadlines per account and per run, and one
/// store transaction per account written as soon as that account is done, so what was collected
/// survives a later failure.
public struct Collector: Sendable {
    /// How the run behaves.
    public struct Configuration: Sendable {
        public var concurrency: Int
        public var retry: RetryPolicy
        /// Per `Account-ID`; the API documents 400.
        public var requestsPerMinutePerAccount: Int
        /// An account still retrying after this long is recorded as `timeout`.
        public var accountDeadlineSeconds: Double
        /// Accounts not finished by then are `skipped_deadline`.
        public var runDeadlineSeconds: Double
        /// Retries allowed in the whole run: this share of the planned requests, plus 20.
        public var retryBudgetShare: Double
        public var breakerThreshold: Int
        public var breakerCooldownSeconds: Double
        public var toolVersion: String
        public var configDigest: String
        /// How often a running collection renews its lease (and, in a shared run, its claims).
        public var heartbeatSeconds: Double = 30

        public init(
            concurrency: Int = 16, retry: RetryPolicy = RetryPolicy(), requestsPerMinutePerAccount: Int = 300,
            accountDeadlineSeconds: Double = 300, runDeadlineSeconds: Double = 3 * 3600, retryBudgetShare: Double = 0.2,
            breakerThreshold: Int = 10, breakerCooldownSeconds: Double = 15, toolVersion: String, configDigest: String
        ) {
            self.concurrency = concurrency
            self.retry = retry
            self.requestsPerMinutePerAccount = requestsPerMinutePerAccount
            self.accountDeadlineSeconds = accountDeadlineSeconds
            self.runDeadlineSeconds = runDeadlineSeconds
            self.retryBudgetShare = retryBudgetShare
            self.breakerThreshold = breakerThreshold
            self.breakerCooldownSeconds = breakerCooldownSeconds
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

    /// What the accounts of one run share: limits, budget, breaker, deadline.
    struct RunGuards: Sendable {
        let rate: AccountRateLimiter
        let adaptive: AdaptiveLimiter
        let budget: RetryBudget
        let breaker: CircuitBreaker
        /// Clock reading after which no request starts.
        let deadline: Double
        /// Every key of the run, to take out of what servers send back before it is kept or logged.
        let redactor: SecretRedactor
    }

    public let configuration: Configuration
    /// Per-account pacing outlives a run, so two runs in one process share each account's budget.
    let rate: AccountRateLimiter
    public let client: FirstPromoterClient
    public let store: any HistoryWriter
    public let keys: KeyProvider
    public let logger: Logger
    /// Monotonic time for waits and deadlines; tests pass one that does not sleep.
    public let clock: any CollectorClock
    /// A uniform draw in [0, 1) for jitter.
    public let random: @Sendable () -> Double
    /// Wall-clock now, for run records and leases.
    public let now: @Sendable () -> Date

    public init(
        configuration: Configuration, client: FirstPromoterClient, store: any HistoryWriter, keys: @escaping KeyProvider,
        logger: Logger, clock: any CollectorClock = SystemCollectorClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.rate = AccountRateLimiter(perMinute: configuration.requestsPerMinutePerAccount)
        self.client = client
        self.store = store
        self.keys = keys
        self.logger = logger
        self.clock = clock
        self.random = random
        self.now = now
    }

    /// Collects every account at observation time `asOf`; `progress(done, total)` is called as accounts finish.
    public func run(
        accounts: [Account], asOf: Date, holder: String,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> CollectionReport {
        try await run(source: AccountList(accounts), asOf: asOf, holder: holder, progress: progress)
    }

    /// Collects the accounts `source` hands out at observation time `asOf`: a fixed list, or the
    /// accounts this process claims from a run it shares with collectors on other hosts.
    public func run(
        source: any AccountSource, asOf: Date, holder: String,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> CollectionReport {
        let accounts = source.accounts
        let started = now()
        let runID = try await store.beginRun(RunStart(
            asOf: asOf.unixSeconds, startedAt: started.unixSeconds, toolVersion: configuration.toolVersion,
            configDigest: configuration.configDigest, holder: holder))
        let guards = RunGuards(
            rate: rate,
            adaptive: AdaptiveLimiter(maximum: configuration.concurrency),
            budget: RetryBudget(Int(Double(accounts.count * BatchStatus.allCases.count) * configuration.retryBudgetShare) + 20),
            breaker: CircuitBreaker(threshold: configuration.breakerThreshold, cooldown: configuration.breakerCooldownSeconds),
            deadline: clock.now() + configuration.runDeadlineSeconds,
            redactor: SecretRedactor(Set(accounts.compactMap { try? keys($0).get() })))
        var tally = Tally()
        var storeError: (any Error)?

        await withTaskGroup(of: Result<(AccountFetchResult, AccountWriteSummary), any Error>.self) { group in
            // Nil when the source has no account left, or could not say (its error stops the run like a store's).
            func nextAccount() async -> Account? {
                do {
                    return try await source.next()
                } catch {
                    storeError = storeError ?? error
                    return nil
                }
            }
            func startNext() async {
                guard storeError == nil, let account = await nextAccount() else { return }
                group.addTask {
                    let result = await collect(account, guards: guards)
                    do {
                        return .success((result, try await store.record(result, run: runID)))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<max(1, configuration.concurrency) { await startNext() }
            var lastHeartbeat = started
            while let finished = await group.next() {
                switch finished {
                case .success(let (result, written)):
                    tally.add(result, written)
                    progress(tally.done, accounts.count)
                    if storeError == nil { await startNext() }
                case .failure(let error):
                    // The store is gone (disk full, file removed): stop starting accounts, keep what is written.
                    storeError = storeError ?? error
                    group.cancelAll()
                }
                let current = now()
                if storeError == nil, current.timeIntervalSince(lastHeartbeat) >= configuration.heartbeatSeconds {
                    lastHeartbeat = current
                    try? await store.heartbeat(run: runID, at: current.unixSeconds)
                }
            }
        }

        let finished = now()
        tally.totals.accountsTotal = await source.plannedTotal(done: tally.done)
        if let storeError {
            // What is written stays; the run is marked aborted if the store still can, and the
            // error said is the one that stopped it (a full disk may refuse this write too).
            try? await store.finishRun(runID, state: .aborted, totals: tally.totals, finishedAt: finished.unixSeconds)
            throw storeError
        }
        try await store.finishRun(runID, state: .finished, totals: tally.totals, finishedAt: finished.unixSeconds)
        var report = CollectionReport(
            runID: runID, asOf: asOf.unixSeconds, totals: tally.totals, outcomes: tally.outcomes,
            failures: tally.failures.sorted { $0.accountID < $1.accountID },
            latencyP50Millis: Quantile.nearestRank(tally.latencies.sorted(), 0.5),
            latencyP95Millis: Quantile.nearestRank(tally.latencies.sorted(), 0.95),
            seconds: finished.timeIntervalSince(started), aborted: false,
            breakerOpenings: await guards.breaker.openings)
        report.unhealthyAccounts = (try? await store.unhealthyAccounts(failedRuns: 2)) ?? []
        return report
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
