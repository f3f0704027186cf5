import APISimulator
import AsyncHTTPClient
import Collector
import FPModel
import FPTestSupport
import FirstPromoterAPI
import Foundation
import HistoryStore
import SQLiteHistory
import Logging
import Testing

/// The collector against each fault profile of the simulator, on loopback.
@Suite struct FaultProfileTests {
    static let key = "sk_fault_test"
    /// Short backoff so the real-time profiles stay quick; the policy's shape is unchanged.
    static let quickRetry = RetryPolicy(maxAttempts: 4, rateLimitBase: 0.2, rateLimitCap: 2, errorBase: 0.05, errorCap: 0.5)

    struct Run {
        let server: SimulatorServer
        let store: SQLiteHistoryStore
        let report: CollectionReport
        let asOf: Date
    }

    func collect(
        _ simulator: SimulatorConfiguration, store: SQLiteHistoryStore? = nil, configuration: Collector.Configuration,
        timeoutMillis: Int64 = 5000, clock: any CollectorClock = SystemCollectorClock(), runs: Int = 1
    ) async throws -> Run {
        let server = try await SimulatorServer.start(configuration: simulator)
        let store = try store ?? SQLiteHistoryStore.inMemory()
        let http = FirstPromoterClient.makeHTTPClient(connectTimeout: .seconds(2), concurrency: configuration.concurrency)
        let client = FirstPromoterClient(
            configuration: .init(baseURL: server.baseURL, requestTimeout: .milliseconds(timeoutMillis)), httpClient: http,
            logger: Logger(label: "test"))
        let key = APIKey(Self.key)!
        let collector = Collector(
            configuration: configuration, client: client, store: store, keys: { _ in .success(key) },
            logger: Logger(label: "test"), clock: clock)
        let accounts = server.world.accountIDs.map { Account(id: $0) }
        var asOf = simulator.start.addingTimeInterval(3 * 86_400)
        var report: CollectionReport?
        for index in 0..<runs {
            asOf = simulator.start.addingTimeInterval(3 * 86_400 + Double(index) * 60)
            await server.state.set(to: asOf)
            report = try await collector.run(accounts: accounts, asOf: asOf, holder: "test")
        }
        try await http.shutdown()
        return Run(server: server, store: store, report: report!, asOf: asOf)
    }

    func config(concurrency: Int = 8, perMinute: Int = 300, runDeadline: Double = 600) -> Collector.Configuration {
        Collector.Configuration(
            concurrency: concurrency, retry: Self.quickRetry, requestsPerMinutePerAccount: perMinute,
            runDeadlineSeconds: runDeadline, toolVersion: "t", configDigest: "d")
    }

    /// Stored counts per account equal the simulator's truth at `asOf`.
    func expectTruth(_ run: Run, excluding: Set<String> = []) async throws {
        let stored = try await run.store.statusCounts(atOrBefore: run.asOf.unixSeconds)
        #expect(stored.count == run.server.world.accountCount - excluding.count)
        for counts in stored {
            #expect(!excluding.contains(counts.accountID))
            let index = try #require(run.server.world.accountIndex(of: counts.accountID))
            let truth = run.server.world.statusCounts(accountIndex: index, at: run.asOf)
            for status in BatchStatus.allCases {
                #expect(counts.counts[status] == truth[status] ?? 0, "\(counts.accountID) \(status)")
            }
        }
    }

    @Test func flakyEndsWithEveryAccountOKAndTheTruthStored() async throws {
        let run = try await collect(SimulatorConfiguration(accounts: 30, seed: 4, apiKey: Self.key, faults: .flaky), configuration: config())
        #expect(run.report.outcomes == [.ok: 30])
        #expect(run.report.totals.retries > 0, "the flaky profile should have caused retries")
        let codes = await run.server.state.snapshot().statusCodes
        #expect(codes.keys.contains { $0 >= 500 } || codes[0] != nil)
        try await expectTruth(run)
        await run.server.stop()
    }

    @Test func runsBackToBackWithinAMinuteGetNo429() async throws {
        // The server enforces the documented 400 a minute per account with a small burst (5); the
        // collector paces itself at its default 300. Four runs back to back send each account 20
        // requests within the minute: more than the burst, so pacing is what keeps them all in.
        let simulator = SimulatorConfiguration(
            accounts: 12, seed: 5, apiKey: Self.key, faults: .ratelimit, requestsPerMinutePerAccount: 400, rateLimitBurst: 5)
        let run = try await collect(simulator, configuration: config(), runs: 4)
        #expect(run.report.outcomes == [.ok: 12])
        let stats = await run.server.state.snapshot()
        #expect(stats.statusCodes[429] == nil, "\(stats.statusCodes)")
        // The bound was reached, not just respected: every request of every run fell in one minute
        #expect(stats.maxPerAccountPerMinute == 4 * 5)
        #expect(stats.requests == 12 * 20)
        try await expectTruth(run)
        await run.server.stop()
    }

    @Test func aCollectorAboveTheLimitRecoversThrough429s() async throws {
        // Misconfigured above the server's limit: 429s come back, are retried, and every account ends OK.
        let simulator = SimulatorConfiguration(
            accounts: 6, seed: 6, apiKey: Self.key, faults: .ratelimit, requestsPerMinutePerAccount: 120, rateLimitBurst: 1)
        var patient = config(perMinute: 400)
        patient.retry = RetryPolicy(maxAttempts: 8, rateLimitBase: 0.3, rateLimitCap: 2, errorBase: 0.05, errorCap: 0.5)
        let run = try await collect(simulator, configuration: patient)
        #expect(run.report.outcomes == [.ok: 6])
        #expect(run.report.totals.rateLimited > 0)
        #expect(await run.server.state.snapshot().maxPerAccountPerMinute <= 120 + run.report.totals.rateLimited)
        await run.server.stop()
    }

    @Test func slowAccountsTimeOutOrAreSkippedAndTheOthersAreStored() async throws {
        let simulator = SimulatorConfiguration(accounts: 14, seed: 7, apiKey: Self.key, faults: .slow)
        let hung = Set(FaultProfile.slow.affectedAccounts(in: SimulatedWorld(seed: 7, accountCount: 14, origin: simulator.start)))
        #expect(hung == ["acc-0003", "acc-0013"])
        // Generous limits for the healthy accounts even on a loaded machine (with 12 s, a full
        // parallel test run once skipped healthy accounts at the deadline); the hung ones still
        // end by their own timeouts, 2 × 4 s, long before it.
        var patient = config(runDeadline: 40)
        patient.retry = RetryPolicy(maxAttempts: 2, rateLimitBase: 0.2, rateLimitCap: 2, errorBase: 0.05, errorCap: 0.5)
        let run = try await collect(simulator, configuration: patient, timeoutMillis: 4000)
        for failure in run.report.failures {
            #expect(hung.contains(failure.accountID))
            #expect(failure.outcome == .timeout || failure.outcome == .skippedDeadline, "\(failure)")
        }
        #expect(run.report.totals.accountsFailed == 2)
        try await expectTruth(run, excluding: hung)
        await run.server.stop()
    }

    @Test func hostileAccountsAreBadResponsesAndNothingOfThemIsStored() async throws {
        let simulator = SimulatorConfiguration(accounts: 30, seed: 8, apiKey: Self.key, faults: .hostile)
        let bad = Set(FaultProfile.hostile.affectedAccounts(in: SimulatedWorld(seed: 8, accountCount: 30, origin: simulator.start)))
        #expect(bad.count == 6)
        let run = try await collect(simulator, configuration: config())
        #expect(Set(run.report.failures.map(\.accountID)) == bad)
        for failure in run.report.failures {
            #expect(failure.outcome == .badResponse)
            #expect(!failure.detail.isEmpty)
            #expect(failure.detail.count < 400, "excerpts stay short: \(failure.detail.count)")
        }
        // One request each: a bad body is not retried.
        let stats = await run.server.state.snapshot()
        for account in bad { #expect(stats.requestsByAccount[account] == 1) }
        try await expectTruth(run, excluding: bad)
        #expect(try await run.store.events(from: 0, to: .max).allSatisfy { !bad.contains($0.accountID) })
        await run.server.stop()
    }

    @Test func anOutageTripsTheBreakerAndLeavesTheHistoryAlone() async throws {
        // Given a clean night in the history
        let clean = try await collect(SimulatorConfiguration(accounts: 20, seed: 9, apiKey: Self.key), configuration: config())
        let before = try await clean.store.statusCounts(atOrBefore: .max)
        await clean.server.stop()
        // When the API is down the next night (with short breaker cool-downs so the test is quick)
        var quick = config()
        quick.breakerCooldownSeconds = 0.1
        let outage = try await collect(
            SimulatorConfiguration(
                accounts: 20, seed: 9, apiKey: Self.key, start: Date(timeIntervalSince1970: 1_793_491_200 + 3600),
                faults: .outage),
            store: clean.store, configuration: quick)
        // Then every account failed, the breaker kept the requests far below 20 × 5 × 4, and the history is unchanged
        #expect(outage.report.outcomes == [FetchOutcome.serverError: 20])
        #expect(outage.report.breakerOpenings >= 1)
        let requests = await outage.server.state.snapshot().requests
        #expect(requests < 60, "the breaker should stop the run from hammering a dead API (\(requests) requests)")
        #expect(try await clean.store.statusCounts(atOrBefore: .max) == before)
        await outage.server.stop()
    }

    @Test func unauthorizedAccountsAreAskedOnce() async throws {
        let simulator = SimulatorConfiguration(accounts: 4, seed: 10, apiKey: Self.key, unauthorizedAccounts: ["acc-0002"])
        let run = try await collect(simulator, configuration: config())
        #expect(run.report.failures.map(\.accountID) == ["acc-0002"])
        #expect(run.report.failures.first?.outcome == .unauthorized)
        #expect(await run.server.state.snapshot().requestsByAccount["acc-0002"] == 1)
        await run.server.stop()
    }
}
