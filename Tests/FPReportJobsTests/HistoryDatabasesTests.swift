import FPTestSupport
import Foundation
import HistoryBackends
import HistoryStore
import SQLiteHistory
import Testing

/// One factory chooses the backend from the configuration's `database` (SPEC section 3.1).
@Suite struct HistoryDatabasesTests {
    @Test func aFilePathOpensASQLiteHistoryWithItsRunLock() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("nested/history.sqlite")
        let store = try HistoryDatabases.open(path)
        #expect(store is SQLiteHistoryStore)
        #expect(FileManager.default.fileExists(atPath: path))
        // The lock is the backend's: held, a second taker that may not wait is refused, naming the holder.
        let lease = try await store.acquireRunLock(holder: "host:1", waitSeconds: 0, waitFor: { _ in false })
        let second = try HistoryDatabases.open(path)
        await #expect(throws: HistoryStoreError.self) {
            _ = try await second.acquireRunLock(holder: "host:2", waitSeconds: 0, waitFor: { _ in false })
        }
        withExtendedLifetime(lease) {}
    }

    @Test(arguments: ["postgresql://fp@db.example:5432/history", "postgres://fp@localhost/history", "POSTGRESQL://x@y/z"])
    func aServerAddressIsNeverTakenForAFileName(_ location: String) throws {
        #expect(HistoryDatabases.isServerAddress(location))
        #expect {
            _ = try HistoryDatabases.open(location)
        } throws: { error in
            "\(error)".contains("PostgreSQL") && "\(error)".contains("file path")
        }
        #expect(!FileManager.default.fileExists(atPath: "postgresql:"))
        #expect(!HistoryDatabases.isServerAddress("data/postgresql.sqlite"))
    }
}
