import FPModel
import Foundation
import GRDB

/// The history in one SQLite file (WAL mode), through GRDB.
///
/// The only type in fpreport that holds a database handle or speaks SQL; a PostgreSQL store would
/// be a second type conforming to ``HistoryReader`` and ``HistoryWriter``.
public final class SQLiteHistoryStore: HistoryStore {
    let writer: any DatabaseWriter
    /// The file, for error messages; nil in memory.
    public let path: String?
    /// A run whose heartbeat is older than this is taken over by the next run.
    public let staleLeaseSeconds: Int64

    /// Opens (creating and migrating as needed) the history at `path`.
    public convenience init(path: String, staleLeaseSeconds: Int64 = 300) throws {
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try self.init(writer: pool, path: path, staleLeaseSeconds: staleLeaseSeconds)
        } catch let error as HistoryStoreError {
            throw error
        } catch {
            throw HistoryStoreError("cannot open the history database: \(error)", path: path)
        }
    }

    /// A history in memory, for tests.
    public static func inMemory() throws -> SQLiteHistoryStore {
        try SQLiteHistoryStore(writer: DatabaseQueue(configuration: configuration()), path: nil, staleLeaseSeconds: 300)
    }

    /// Wraps an open database, migrating it up to `migration` (all migrations when nil).
    init(writer: any DatabaseWriter, path: String?, staleLeaseSeconds: Int64, upTo migration: String? = nil) throws {
        self.writer = writer
        self.path = path
        self.staleLeaseSeconds = staleLeaseSeconds
        do {
            if let migration {
                try Schema.migrator.migrate(writer, upTo: migration)
            } else {
                try Schema.migrator.migrate(writer)
            }
        } catch {
            throw HistoryStoreError("cannot upgrade the history schema: \(error)", path: path)
        }
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // A second writer (another process) waits a little rather than failing at once.
        configuration.busyMode = .timeout(10)
        configuration.label = "fpreport.history"
        return configuration
    }

    /// The names of the applied migrations, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await writer.read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    /// Runs `body` in a write transaction, turning database errors into ``HistoryStoreError``.
    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch let error as HistoryStoreError {
            throw error
        } catch {
            throw HistoryStoreError("\(what): \(error)", path: path)
        }
    }

    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw HistoryStoreError("\(what): \(error)", path: path)
        }
    }
}
