import Foundation
import HistoryStore
import PostgresHistory
import SQLiteHistory

/// The one place a backend is chosen: from the configuration's `database`, so the jobs never
/// name one (SPEC section 3.1).
public enum HistoryDatabases {
    /// Opens (creating and migrating as needed) the history `location` names: a SQLite file path,
    /// or a `postgresql://USER@HOST:PORT/DBNAME` address whose password, if the server wants one,
    /// is in the environment variable `passwordVariable` (never in the address).
    public static func open(
        _ location: String, passwordVariable: String = "PGPASSWORD",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> any HistoryDatabase {
        guard isServerAddress(location) else { return try SQLiteHistoryStore(path: location) }
        let address = try PostgresAddress(parsing: location)
        let password = environment[passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
        return try await PostgresHistoryStore.open(address, password: password)
    }

    /// For a server's address, connects and says what is there without changing anything (see
    /// `PostgresHistoryStore.check`); nil for a file, which `check-config` checks as a file.
    public static func checkServer(
        _ location: String, passwordVariable: String = "PGPASSWORD",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> (text: String, current: Bool)? {
        guard isServerAddress(location) else { return nil }
        let password = environment[passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
        return try await PostgresHistoryStore.check(try PostgresAddress(parsing: location), password: password)
    }

    /// Whether `location` is a database server's address rather than a file.
    public static func isServerAddress(_ location: String) -> Bool {
        ["postgresql", "postgres"].contains(schemeOf(location))
    }

    private static func schemeOf(_ location: String) -> String {
        guard let colon = location.firstIndex(of: ":"), location[colon...].hasPrefix("://") else { return "" }
        return location[..<colon].lowercased()
    }
}
