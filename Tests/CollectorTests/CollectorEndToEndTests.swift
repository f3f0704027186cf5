import APISimulator
import Collector
import FPModel
import FPTestSupport
import FirstPromoterAPI
import Foundation
import HistoryStore
import SQLiteHistory
import Logging
import Testing

/// The collector against the real simulator on loopback, into a real SQLite file.
@Suite struct CollectorEndToEndTests {
    static let key = "sk_collector_test_key"

    /// A running simulator, a history file, and a collector wired to both.
    struct Harness {
        let server: SimulatorServer
        let store: SQLiteHistoryStore
        let http: AsyncHTTPClientHandle
        let folder: TemporaryDirectory

        func collector(concurrency: Int) -> Collector {
            let client = FirstPromoterClient(
                configuration: .init(baseURL: server.baseURL, requestTimeout: .seconds(10)), httpClient: http.client,
                logger: Logger(label: "test"))
            let key = APIKey(CollectorEndToEndTests.key)!
            return Collector(
                configuration: .init(concurrency: concurrency, toolVersion: "test", configDigest: "digest"),
                client: client, store: store, keys: { _ in .success(key) }, logger: Logger(label: "test"),
                clock: TestClock())
        }

        func collect(_ accounts: [Account], at asOf: Date, concurrency: Int = 8) async throws -> CollectionReport {
            await server.state.set(to: asOf)
            return try await collector(concurrency: concurrency).run(accounts: accounts, asOf: asOf, holder: "test:1")
        }

        func close() async {
            await server.stop()
            try? await http.client.shutdown()
            folder.remove()
        }
    }

    func harness(accounts: Int, forbidden: Set<String> = []) async throws -> Harness {
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(
            accounts: accounts, seed: 11, apiKey: Self.key, forbiddenAccounts: forbidden))
        let folder = try TemporaryDirectory()
        return Harness(
            server: server, store: try SQLiteHistoryStore(path: folder.path("history.sqlite")),
            http: AsyncHTTPClientHandle(client: FirstPromoterClient.makeHTTPClient(concurrency: 16)), folder: folder)
    }

    @Test func twoHundredAccountsMatchTheSimulatorsTruth() async throws {
        let h = try await harness(accounts: 200)
        let accounts = h.server.world.accountIDs.map { Account(id: $0) }
        let asOf = h.server.configuration.start.addingTimeInterval(6 * 86_400 + 3600)

        let report = try await h.collect(accounts, at: asOf, concurrency: 12)

        #expect(report.totals.accountsOK == 200)
        #expect(report.totals.requests == 1000)
        let stored = try await h.store.statusCounts(atOrBefore: asOf.unixSeconds)
        #expect(stored.count == 200)
        for counts in stored {
            let index = try #require(h.server.world.accountIndex(of: counts.accountID))
            let truth = h.server.world.statusCounts(accountIndex: index, at: asOf)
            for status in BatchStatus.allCases {
                #expect(counts.counts[status] == truth[status] ?? 0, "\(counts.accountID) \(status)")
            }
        }
        let stats = await h.server.state.snapshot()
        #expect(stats.maxInFlight <= 12)
        #expect(stats.maxInFlight > 1, "the fan-out should actually run accounts in parallel")
        await h.close()
    }

    @Test func aForbiddenAccountDoesNotFailTheOthers() async throws {
        let h = try await harness(accounts: 6, forbidden: ["acc-0003"])
        let accounts = h.server.world.accountIDs.map { Account(id: $0) } + [Account(id: "acc-unknown")]
        let asOf = h.server.configuration.start.addingTimeInterval(86_400)

        let report = try await h.collect(accounts, at: asOf)

        #expect(report.totals.accountsOK == 5)
        #expect(report.outcomes[.forbidden] == 2)
        #expect(report.failures.map(\.accountID) == ["acc-0003", "acc-unknown"])
        // 403 is not retried: one request, then the account stops.
        let stats = await h.server.state.snapshot()
        #expect(stats.requestsByAccount["acc-0003"] == 1)
        let fetches = try await h.store.fetches(from: asOf.unixSeconds, to: asOf.unixSeconds + 1)
        let forbidden = try #require(fetches.first { $0.accountID == "acc-0003" })
        #expect(forbidden.httpStatus == 403)
        #expect(forbidden.error?.contains("forbidden") == true)
        await h.close()
    }

    @Test func rerunsAreIdempotentAndChangesAreSingleEvents() async throws {
        let h = try await harness(accounts: 10)
        let accounts = h.server.world.accountIDs.map { Account(id: $0) }
        let first = h.server.configuration.start.addingTimeInterval(2 * 86_400)

        let initial = try await h.collect(accounts, at: first)
        let again = try await h.collect(accounts, at: first)
        #expect(initial.totals.eventsWritten > 0)
        #expect(again.totals.eventsWritten == 0)
        #expect(try await h.store.runs(from: 0, to: .max).count == 1)

        // Six hours later, each event is one batch that changed, and no batch has two events in one run.
        let later = first.addingTimeInterval(6 * 3600)
        let next = try await h.collect(accounts, at: later)
        let events = try await h.store.events(from: later.unixSeconds, to: later.unixSeconds + 1)
        #expect(events.count == next.totals.eventsWritten)
        #expect(Set(events.map { "\($0.accountID)/\($0.batchID)" }).count == events.count)
        // Every status event matches what the simulator says now, and what it said before differs.
        for event in events where event.kind == .status {
            let index = try #require(h.server.world.accountIndex(of: event.accountID))
            let now = h.server.world.batches(accountIndex: index, at: later).first { $0.batchID == event.batchID }
            let before = h.server.world.batches(accountIndex: index, at: first).first { $0.batchID == event.batchID }
            #expect(now?.status == event.status)
            #expect(before?.status != event.status)
        }
        #expect(events.contains { $0.kind == .status })
        await h.close()
    }
}

/// Owns an `HTTPClient` for a test (a Sendable box so the harness can be a struct).
struct AsyncHTTPClientHandle: Sendable {
    let client: AsyncHTTPClient.HTTPClient
}

import AsyncHTTPClient
