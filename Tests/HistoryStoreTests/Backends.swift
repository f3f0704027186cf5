import Foundation
import GRDB
import HistoryStore
import Testing

@testable import PostgresHistory
@testable import SQLiteHistory

/// The history backends the conformance tests run against: SQLite always, PostgreSQL when
/// `FPREPORT_TEST_POSTGRES_URL` names a server (`scripts/with-postgres.sh` starts one; `make test`
/// and CI use it), so `swift test` alone still passes without a server.
enum Backend: String, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static let serverURL = ProcessInfo.processInfo.environment["FPREPORT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let password = ProcessInfo.processInfo.environment["PGPASSWORD"]

    /// SQLite, and PostgreSQL when a server is there.
    static let available: [Backend] = serverURL == nil ? [.sqlite] : [.sqlite, .postgres]
    /// PostgreSQL alone, for its own tests (empty without a server: those tests then do not run).
    static let server: [Backend] = serverURL == nil ? [] : [.postgres]
    /// The test server's Unix-socket address, when `scripts/with-postgres.sh` started it.
    static let socketServer: [String] = ProcessInfo.processInfo.environment["FPREPORT_TEST_POSTGRES_SOCKET_URL"].map { [$0] } ?? []

    /// A new, empty history of this backend (PostgreSQL: a database of its own, so tests run side by side).
    func open() async throws -> TestHistory {
        switch self {
        case .sqlite:
            let store = try SQLiteHistoryStore.inMemory()
            return TestHistory(store: store) { table in
                try await store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
            }
        case .postgres:
            let address = try await Self.freshDatabase()
            let store = try await PostgresHistoryStore.open(address, password: Self.password)
            return TestHistory(store: store) { try await store.rowCount($0) }
        }
    }

    /// Creates an empty database on the test server and returns its address.
    static func freshDatabase() async throws -> PostgresAddress {
        let name = "fpreport_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        return try await PostgresHistoryStore.createDatabase(name, on: try PostgresAddress(parsing: try #require(serverURL)), password: password)
    }
}

/// A store under test and a way to count its rows (the tests' only look past the interface).
struct TestHistory: Sendable {
    let store: any HistoryDatabase
    let count: @Sendable (String) async throws -> Int
}
