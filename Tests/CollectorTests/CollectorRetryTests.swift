import Collector
import FPModel
import FPTestSupport
import FirstPromoterAPI
import Foundation
import HistoryStore
import SQLiteHistory
import Logging
import Testing

/// Retries against a scripted server, with a sleep that records instead of waiting.
@Suite struct CollectorRetryTests {

    func run(
        _ configuration: Collector.Configuration = .init(concurrency: 1, toolVersion: "t", configDigest: "d"),
        _ reply: @escaping @Sendable (Int, ScriptedServer.Received) -> ScriptedServer.Reply
    ) async throws -> (CollectionReport, [ScriptedServer.Received], [Double]) {
        let server = try await ScriptedServer.start(reply)
        let http = FirstPromoterClient.makeHTTPClient()
        let store = try SQLiteHistoryStore.inMemory()
        let clock = TestClock()
        let key = APIKey("k")!
        let collector = Collector(
            configuration: configuration,
            client: FirstPromoterClient(configuration: .init(baseURL: server.baseURL), httpClient: http, logger: Logger(label: "t")),
            store: store, keys: { _ in .success(key) }, logger: Logger(label: "t"),
            clock: clock, random: { 0.5 })
        let report = try await collector.run(accounts: [Account(id: "acc-1")], asOf: Date(timeIntervalSince1970: 1000), holder: "t")
        let received = await server.log.requests
        await server.stop()
        try await http.shutdown()
        return (report, received, clock.sleeps)
    }

    @Test func aServerErrorIsRetriedAndTheAccountEndsOK() async throws {
        let (report, received, delays) = try await run { number, _ in
            number == 2 ? .init(status: 503) : .init(body: #"{"1":5}"#)
        }
        #expect(report.outcomes == [.ok: 1])
        #expect(report.totals.requests == 6)
        #expect(report.totals.retries == 1)
        #expect(received.count == 6)
        #expect(delays == [0.5])
    }

    @Test func unauthorizedIsNeverRetried() async throws {
        let (report, received, delays) = try await run { _, _ in .init(status: 401) }
        #expect(report.outcomes == [.unauthorized: 1])
        #expect(received.count == 1)
        #expect(delays.isEmpty)
    }

    @Test func rateLimitIsRetriedWithRetryAfterThenGivenUp() async throws {
        let (report, received, delays) = try await run { _, _ in .init(status: 429, headers: ["Retry-After": "3"]) }
        #expect(report.outcomes == [.rateLimited: 1])
        #expect(received.count == 4)
        #expect(delays == [3, 3, 3])
        #expect(report.totals.rateLimited == 4)
    }

    @Test func aRetryAfterPastTheAccountsDeadlineEndsItAtOnceAsRateLimited() async throws {
        let configuration = Collector.Configuration(concurrency: 1, accountDeadlineSeconds: 30, toolVersion: "t", configDigest: "d")
        let (report, received, delays) = try await run(configuration) { _, _ in .init(status: 429, headers: ["Retry-After": "100"]) }
        #expect(report.outcomes == [.rateLimited: 1])
        #expect(received.count == 1)
        #expect(delays.isEmpty)
        #expect(report.failures.first?.detail.contains("would pass the account deadline of 30 s") == true)
    }

    @Test func aRetryAfterOverTheCapIsNotWaitedFor() async throws {
        let (report, received, delays) = try await run { _, _ in .init(status: 503, headers: ["Retry-After": "600"]) }
        #expect(report.outcomes == [.serverError: 1])
        #expect(received.count == 1)
        #expect(delays.isEmpty)
    }

    @Test func aBadBodyIsNotRetriedAndNothingIsStored() async throws {
        let (report, received, _) = try await run { _, _ in .init(body: #"{"1":"high"}"#) }
        #expect(report.outcomes == [.badResponse: 1])
        #expect(received.count == 1)
        #expect(report.failures.first?.detail.contains("not an integer") == true)
    }
}
