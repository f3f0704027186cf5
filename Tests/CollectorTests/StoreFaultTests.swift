import APISimulator
import Collector
import FPModel
import FPTestSupport
import FirstPromoterAPI
import Foundation
import GRDB
import Logging
import Testing

import HistoryStore
@testable import SQLiteHistory

/// A store that cannot take more stops the run with the cause in words and SQLite's code, and
/// keeps what it had written (issue 12, item 3).
@Suite struct StoreFaultTests {
    static let key = "sk_store_fault_key"

    /// Collects `accounts` simulated accounts into a store opened with `configure` over a migrated file.
    func collect(accounts: Int, configure: (inout Configuration, Int) -> Void) async throws -> (Result<CollectionReport, any Error>, String) {
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(accounts: accounts, seed: 5, apiKey: Self.key))
        await server.state.set(to: server.configuration.start.addingTimeInterval(20 * 86_400))
        let folder = try TemporaryDirectory()
        let path = folder.path("history.sqlite")
        let pages = try await SQLiteHistoryStore(path: path).writer.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        var configuration = SQLiteHistoryStore.configuration()
        configure(&configuration, pages)
        let store = try SQLiteHistoryStore(writer: try DatabasePool(path: path, configuration: configuration), path: path, staleLeaseSeconds: 300)
        let http = FirstPromoterClient.makeHTTPClient(concurrency: 4)
        let key = APIKey(Self.key)!
        let collector = Collector(
            configuration: .init(concurrency: 4, toolVersion: "test", configDigest: "d"),
            client: FirstPromoterClient(configuration: .init(baseURL: server.baseURL), httpClient: http, logger: Logger(label: "t")),
            store: store, keys: { _ in .success(key) }, logger: Logger(label: "t"), clock: TestClock())
        let ids = server.world.accountIDs.map { Account(id: $0) }
        let result: Result<CollectionReport, any Error>
        do { result = .success(try await collector.run(accounts: ids, asOf: Date(), holder: "t")) } catch { result = .failure(error) }
        try await http.shutdown()
        await server.stop()
        return (result, path)
    }

    @Test func aFullDatabaseStopsTheRunSayingSoAndKeepsWhatItWrote() async throws {
        // Given a database allowed 40 pages more than its empty schema needs
        let (result, path) = try await collect(accounts: 60) { configuration, pages in
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA max_page_count = \(pages + 40)") }
        }
        // Then the run stops with "full" in words and SQLite's code kept
        guard case .failure(let error) = result, let error = error as? HistoryStoreError else {
            Issue.record("expected a store error, got \(result)")
            return
        }
        #expect(error.kind == .full)
        #expect(error.sqliteCode == 13)
        #expect(error.message.contains("the database is full"))
        // And the accounts written before it are there, whole
        let store = try SQLiteHistoryStore(path: path)
        let stored = try await store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account_fetches") ?? 0 }
        #expect(stored > 0 && stored < 60)
        #expect(try await store.consistencyProblems().isEmpty)
    }

    @Test func aReadOnlyDatabaseSaysItCannotBeWritten() async throws {
        let (result, _) = try await collect(accounts: 3) { configuration, _ in configuration.readonly = true }
        guard case .failure(let error) = result, let error = error as? HistoryStoreError else {
            Issue.record("expected a store error, got \(result)")
            return
        }
        #expect(error.kind == .readOnly)
        #expect(error.sqliteCode.map { $0 & 0xFF } == 8)
        #expect(error.message.contains("cannot be written"))
    }
}
