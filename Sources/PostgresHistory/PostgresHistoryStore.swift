import FPModel
import Foundation
import HistoryStore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The history in PostgreSQL (SPEC section 3.1), through postgres-nio's connection pool.
///
/// Behind ``HistoryDatabase`` like the SQLite store, with the same tables, migrations and answers:
/// the jobs get one from `HistoryDatabases.open`, and only this module sees SQL for PostgreSQL.
/// The run lock is an advisory lock the server holds for one session of this process, so it means
/// the same on every host and ends with the process, however it ends.
public final class PostgresHistoryStore: HistoryDatabase {
    let client: PostgresClient
    private let runner: Task<Void, Never>
    /// The address, without anything secret, for messages.
    public let address: PostgresAddress
    /// A run whose heartbeat is older than this is taken over by the next run.
    public let staleLeaseSeconds: Int64
    /// postgres-nio logs nothing of ours: queries carry account data, and never a password, but
    /// the store's own errors are what a person reads.
    static let quiet = Logger(label: "fpreport.history.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects to `address` with `password` and migrates the schema up to date.
    ///
    /// One connection is made first, on its own: a server that is down, a wrong password or a
    /// missing database is said at once and in words, where the pool would retry for a minute
    /// and then report only that it gave up.
    public static func open(
        _ address: PostgresAddress, password: String?, staleLeaseSeconds: Int64 = 300
    ) async throws -> PostgresHistoryStore {
        do {
            let probe = try await PostgresConnection.connect(
                configuration: try address.connectionConfiguration(password: password), id: 0, logger: quiet)
            try? await probe.close()
        } catch {
            throw describe("cannot open the history database", error, at: address)
        }
        var configuration = try address.clientConfiguration(password: password)
        configuration.options.connectTimeout = .seconds(15)
        configuration.options.maximumConnections = 12
        // The reads are large but simple scans: compiling them (JIT) cost more than it saved,
        // about half a second a query on a month of a 10,000-account fleet.
        configuration.options.additionalStartupParameters = [("jit", "off")]
        let store = PostgresHistoryStore(client: PostgresClient(configuration: configuration, backgroundLogger: quiet), address: address,
                                         staleLeaseSeconds: staleLeaseSeconds)
        try await store.migrate()
        return store
    }

    /// Connects to `address` with `password` and says what is there, changing nothing (no
    /// migration, no table made): for `check-config`, before the first night. Not `current`
    /// when the history's schema is newer than this build's (another host runs a newer fpreport).
    public static func check(_ address: PostgresAddress, password: String?) async throws -> (text: String, current: Bool) {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try address.connectionConfiguration(password: password), id: 0, logger: quiet)
        } catch {
            throw describe("cannot open the history database", error, at: address)
        }
        do {
            let (version, schema, current) = try await describeContents(connection)
            try? await connection.close()
            return ("\(address.display) (PostgreSQL \(version)): \(schema)", current)
        } catch {
            try? await connection.close()
            throw describe("cannot read the history database", error, at: address)
        }
    }

    /// The server's version and how far its history schema is from this build's.
    private static func describeContents(_ connection: PostgresConnection) async throws -> (version: String, schema: String, current: Bool) {
        // "15.18 (Debian 15.18-0+deb12u1)": the number is enough.
        let full = try await connection.scalar("SHOW server_version", as: String.self) ?? "of unknown version"
        let version = full.split(separator: " ").first.map(String.init) ?? full
        var applied = Set<String>()
        // One query at a time on the connection: a second one started while the first's rows are
        // still being read waits behind them.
        if try await connection.scalar("SELECT to_regclass('fpreport_migrations') IS NOT NULL", as: Bool.self) == true {
            for try await name in try await connection.query("SELECT name FROM fpreport_migrations", logger: quiet).decode(String.self) {
                applied.insert(name)
            }
        }
        let unknown = applied.subtracting(PostgresSchema.migrations.map(\.name)).sorted()
        let missing = PostgresSchema.migrations.filter { !applied.contains($0.name) }.count
        let schema =
            if !unknown.isEmpty { "the history's schema is newer than this fpreport (\(unknown.joined(separator: ", ")))" }
            else if applied.isEmpty { "no history yet (the first run creates its tables)" }
            else if missing == 0 { "the history's schema is up to date" }
            else { "the next run applies \(missing) schema migration(s)" }
        return (version, schema, unknown.isEmpty)
    }

    private init(client: PostgresClient, address: PostgresAddress, staleLeaseSeconds: Int64) {
        self.client = client
        self.address = address
        self.staleLeaseSeconds = staleLeaseSeconds
        self.runner = Task { await client.run() }
    }

    deinit {
        runner.cancel()
    }

    /// Creates the empty database `name` on the server `address` names (connecting to its own
    /// database), and returns the address of the new one: for tests, benchmarks and first set-ups.
    public static func createDatabase(_ name: String, on address: PostgresAddress, password: String?) async throws -> PostgresAddress {
        guard name.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) != nil else {
            throw HistoryStoreError("database name \(name): use lower-case letters, digits and _")
        }
        let client = PostgresClient(configuration: try address.clientConfiguration(password: password), backgroundLogger: quiet)
        let running = Task { await client.run() }
        defer { running.cancel() }
        do {
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quiet)
        } catch {
            throw describe("cannot create database \(name)", error, at: address)
        }
        var created = address
        created.database = name
        return created
    }

    /// Applies the migrations this database lacks, in order, each in its own transaction.
    func migrate() async throws {
        try await write("cannot upgrade the history schema") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: Self.quiet)
            try await connection.query(PostgresQuery(unsafeSQL: PostgresSchema.migrationsTable), logger: Self.quiet)
        }
        for migration in PostgresSchema.migrations {
            try await write("cannot upgrade the history schema (\(migration.name))") { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: Self.quiet)
                let applied = try await connection.query(
                    "SELECT 1 FROM fpreport_migrations WHERE name = \(migration.name)", logger: Self.quiet)
                for try await _ in applied { return }
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.quiet)
                }
                try await connection.query("INSERT INTO fpreport_migrations (name) VALUES (\(migration.name))", logger: Self.quiet)
            }
        }
    }

    /// The names of the applied migrations, in the order they were applied.
    public func appliedMigrations() async throws -> [String] {
        try await read("cannot read the schema version") { connection in
            var names: [String] = []
            for try await name in try await connection.query(
                "SELECT name FROM fpreport_migrations ORDER BY applied_at, name", logger: Self.quiet
            ).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }

    /// Rows in each of the history's tables, for tests and checks.
    public func rowCount(_ table: String) async throws -> Int {
        guard HistoryTables.all.contains(table) else {
            throw HistoryStoreError("no history table \(table)")
        }
        return try await read("cannot count \(table)") { connection in
            try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)"), as: Int64.self).map(Int.init) ?? 0
        }
    }

    /// How long a write waits in all for conflicting transactions (deadlocks, serialization) before giving up.
    static let retryWindow = Duration.seconds(600)

    /// Runs `body` in one transaction, turning errors into ``HistoryStoreError``. A transaction the
    /// server rolled back for a deadlock or a serialization conflict is run again (with backoff);
    /// every other error is final.
    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        var pause = 0.05
        while true {
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: Self.quiet)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: Self.quiet)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: Self.quiet)
                        throw error
                    }
                }
            } catch let error as HistoryStoreError {
                throw error
            } catch let error as PSQLError where Self.isRetryable(error) && ContinuousClock.now - started < Self.retryWindow {
                try await Task.sleep(for: .seconds(pause))
                pause = min(pause * 2, 2)
            } catch {
                throw describe(what, error)
            }
        }
    }

    /// Runs `body` on a connection of the pool (one statement's snapshot each; reads needing one
    /// snapshot for several statements take a transaction).
    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch let error as HistoryStoreError {
            throw error
        } catch {
            throw describe(what, error)
        }
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    func describe(_ what: String, _ error: any Error) -> HistoryStoreError {
        Self.describe(what, error, at: address)
    }

    /// `error` in words, with the server's SQLSTATE; never the password (postgres-nio's own
    /// descriptions are generic for that reason, and the server never sends it back).
    static func describe(_ what: String, _ error: any Error, at address: PostgresAddress) -> HistoryStoreError {
        guard let error = error as? PSQLError else {
            if "\(type(of: error))".contains("ConnectionPoolError") {
                return HistoryStoreError("\(what): the server stopped answering (no connection could be made)", path: address.display, kind: .io)
            }
            return HistoryStoreError("\(what): \(error)", path: address.display)
        }
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "server error"
            if state == "28P01" || state == "28000" {
                return HistoryStoreError(
                    "\(what): the server refused the login (\(message)); the password comes from the environment variable named by database_password_env",
                    path: address.display, kind: .other)
            }
            let kind: HistoryStoreError.Kind = switch state {
            case "53100": .full
            case "25006", "42501": .readOnly
            case "XX001", "XX002": .corrupt
            case "58030": .io
            case "55P03", "57014": .busy
            default: .other
            }
            return HistoryStoreError("\(what): \(message) (PostgreSQL \(state))", path: address.display, kind: kind)
        }
        if error.code == .connectionError, let why = error.underlying.flatMap(unreachable) {
            return HistoryStoreError("\(what): cannot reach the server at \(why)", path: address.display, kind: .io)
        }
        let words: String = switch error.code {
        case .connectionError: "cannot reach the server"
        case .serverClosedConnection, .uncleanShutdown: "the server closed the connection"
        case .authMechanismRequiresPassword: "the server asks for a password; set the environment variable named by database_password_env"
        case .sslUnsupported: "the server does not offer TLS, which sslmode asks for"
        case .poolClosed, .clientClosedConnection: "the connection pool is closed"
        default: "\(error.code)"
        }
        let cause = (error.underlying).map { ": \(String(describing: $0))" } ?? ""
        return HistoryStoreError("\(what): \(words)\(cause)", path: address.display, kind: .io)
    }
}

/// Why no connection could be made, in words, with the address tried; nil for another error.
private func unreachable(_ error: any Error) -> String? {
    guard let failure = error as? NIOConnectionError else { return nil }
    let address = "\(failure.host):\(failure.port)"
    if failure.dnsAError != nil || failure.dnsAAAAError != nil { return "\(address): the host name does not resolve" }
    let reasons = failure.connectionErrors.map { attempt -> String in
        guard let io = attempt.error as? IOError else { return "\(attempt.error)" }
        return switch io.errnoCode {
        case ECONNREFUSED: "connection refused (is the server running, and listening there?)"
        case ETIMEDOUT: "the connection timed out"
        case EHOSTUNREACH, ENETUNREACH: "no route to the host"
        default: "\(io)"
        }
    }
    return "\(address): " + (reasons.isEmpty ? "no address to try" : Array(Set(reasons)).sorted().joined(separator: "; "))
}

extension PostgresConnection {
    /// The first column of the first row of `query`, or nil.
    func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? where T._DecodableType == T {
        for try await value in try await self.query(query, logger: PostgresHistoryStore.quiet).decode(T?.self) {
            return value
        }
        return nil
    }

    /// Runs `query`, ignoring its rows.
    func run(_ query: PostgresQuery) async throws {
        try await self.query(query, logger: PostgresHistoryStore.quiet)
    }
}
