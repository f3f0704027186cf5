import FPTestSupport
import Foundation
import HistoryBackends
import HistoryStore
import PostgresHistory
import SQLiteHistory
import Testing

/// One factory chooses the backend from the configuration's `database` (SPEC section 3.1).
@Suite struct HistoryDatabasesTests {
    @Test func aFilePathOpensASQLiteHistoryWithItsRunLock() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("nested/history.sqlite")
        let store = try await HistoryDatabases.open(path)
        #expect(store is SQLiteHistoryStore)
        #expect(FileManager.default.fileExists(atPath: path))
        // The lock is the backend's: held, a second taker that may not wait is refused, naming the holder.
        let lease = try await store.acquireRunLock(holder: "host:1", waitSeconds: 0, waitFor: { _ in false })
        let second = try await HistoryDatabases.open(path)
        await #expect(throws: HistoryStoreError.self) {
            _ = try await second.acquireRunLock(holder: "host:2", waitSeconds: 0, waitFor: { _ in false })
        }
        withExtendedLifetime(lease) {}
    }

    @Test(arguments: ["postgresql://fp@db.example:5432/history", "postgres://fp@localhost/history", "POSTGRESQL://x@y/z"])
    func aServerAddressIsNeverTakenForAFileName(_ location: String) throws {
        #expect(HistoryDatabases.isServerAddress(location))
        #expect(!HistoryDatabases.isServerAddress("data/postgresql.sqlite"))
        #expect(try PostgresAddress(parsing: location).database == String(location.split(separator: "/").last!))
    }

    /// libpq's URI form: user, host, port, database, a socket folder, sslmode; never a password.
    @Test func postgreSQLAddressesParseAsLibpqReadsThem() throws {
        let tcp = try PostgresAddress(parsing: "postgresql://fp@db.internal:5433/history?sslmode=verify-full")
        #expect(tcp == PostgresAddress(user: "fp", host: "db.internal", port: 5433, database: "history", tls: .verifyFull))
        let socket = try PostgresAddress(parsing: "postgresql://fp@/history?host=/run/postgresql")
        #expect(socket.socketDirectory == "/run/postgresql" && socket.port == 5432 && socket.tls == .prefer)
        #expect(socket.display == "postgresql://fp@/history?host=/run/postgresql&port=5432")
        for bad in ["postgresql://fp:hunter2@db/history", "postgresql://fp@db/history?password=hunter2"] {
            #expect {
                _ = try PostgresAddress(parsing: bad)
            } throws: { error in
                "\(error)".contains("carries a password") && !"\(error)".contains("hunter2")
            }
        }
        for (bad, words) in [("postgresql://db/history", "no user"), ("postgresql://fp@db", "no database"),
                             ("postgresql://fp@db:99999/h", "port"), ("postgresql://fp@db/h?sslmode=maybe", "sslmode")] {
            #expect(throws: HistoryStoreError.self, "\(bad)") { _ = try PostgresAddress(parsing: bad) }
            #expect((try? PostgresAddress(parsing: bad)) == nil)
            do { _ = try PostgresAddress(parsing: bad) } catch { #expect("\(error)".contains(words), "\(error)") }
        }
    }

    /// A server nobody listens at: a clear error naming the address, never the password.
    @Test func anUnreachableServerIsAClearErrorWithoutThePassword() async throws {
        let secret = "pw-\(UUID().uuidString)"
        await #expect {
            _ = try await HistoryDatabases.open(
                "postgresql://fp@127.0.0.1:1/history?sslmode=disable", passwordVariable: "FP_TEST_DB_PASSWORD",
                environment: ["FP_TEST_DB_PASSWORD": secret])
        } throws: { error in
            let text = "\(error)"
            // In words, not NIO's own: "Connection errors: SingleConnectionFailure(target: …".
            return text.contains("postgresql://fp@127.0.0.1:1/history") && text.contains("cannot reach the server at 127.0.0.1:1: connection refused")
                && !text.contains("SingleConnectionFailure") && !text.contains(secret)
        }
    }
}
