import FPModel
import Foundation
import GRDB
import HistoryStore

/// The history in one SQLite file (WAL mode), through GRDB.
///
/// Behind ``HistoryDatabase``: the jobs get one from `HistoryDatabases.open`, and only this module
/// (with GRDB) sees SQLite. The run lock is a file lock beside the database (``RunLock``).
public final class SQLiteHistoryStore: HistoryDatabase {
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
        } catch let error as DatabaseError {
            throw Self.describe("cannot open the history database", error, path: path)
        } catch {
            throw HistoryStoreError("cannot open the history database: \(error)", path: path)
        }
    }

    /// The run lock: a file lock beside the database, which the kernel gives up when the process
    /// dies. A history in memory cannot be opened by another process, so its lock is always free.
    public func acquireRunLock(
        holder: String, waitSeconds: Double, waitFor: @escaping @Sendable (String) -> Bool
    ) async throws -> any RunLease {
        guard let path else { return InMemoryLease() }
        return try await RunLock.acquire(databasePath: path, holder: holder, waitSeconds: waitSeconds, waitFor: waitFor)
    }

    private final class InMemoryLease: RunLease {}

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
        } catch let error as DatabaseError {
            throw Self.describe("cannot upgrade the history schema", error, path: path)
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

    /// How long a write waits, in all, for another connection to let go of the database (a
    /// weekly prune, a backup, someone's `sqlite3` shell) before it gives up: long enough that a
    /// busy file never costs a night, bounded so a wedged one does not hang it.
    public static let busyWaitSeconds = 600.0

    /// Runs `body` in a write transaction, turning database errors into ``HistoryStoreError``.
    ///
    /// `SQLITE_BUSY` and `SQLITE_LOCKED` are waited out with backoff (the transaction rolled back,
    /// so running `body` again is safe); every other error is final and keeps SQLite's code.
    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let started = ContinuousClock.now
        var pause = 0.05
        while true {
            do {
                return try await writer.write(body)
            } catch let error as HistoryStoreError {
                throw error
            } catch let error as DatabaseError where Self.kind(of: error) == .busy
                && ContinuousClock.now - started < .seconds(Self.busyWaitSeconds) {
                try await Task.sleep(for: .seconds(pause))
                pause = min(pause * 2, 2)
            } catch {
                throw storeError(what, error)
            }
        }
    }

    func storeError(_ what: String, _ error: any Error) -> HistoryStoreError {
        guard let error = error as? DatabaseError else { return HistoryStoreError("\(what): \(error)", path: path) }
        return Self.describe(what, error, path: path)
    }

    /// `error` as a ``HistoryStoreError`` that says in words what happened, with SQLite's code.
    static func describe(_ what: String, _ error: DatabaseError, path: String?) -> HistoryStoreError {
        let kind = Self.kind(of: error)
        let words: String = switch kind {
        case .busy: "the database stayed locked by another connection for \(Int(busyWaitSeconds)) s"
        case .full: "the database is full (no space left on the disk, or its size limit reached)"
        case .readOnly: "the database cannot be written (read-only file, folder or file system)"
        case .corrupt: "the database file is damaged (run PRAGMA integrity_check; restore it from a backup)"
        case .io: "the disk failed a read or write"
        case .other: "\(error.message ?? "SQLite error")"
        }
        return HistoryStoreError(
            "\(what): \(words) (SQLite error \(error.extendedResultCode.rawValue))", path: path, kind: kind,
            sqliteCode: error.extendedResultCode.rawValue)
    }

    static func kind(of error: DatabaseError) -> HistoryStoreError.Kind {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: .busy
        case .SQLITE_FULL: .full
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: .readOnly
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: .corrupt
        case .SQLITE_IOERR: .io
        default: .other
        }
    }

    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw storeError(what, error)
        }
    }
}
