import HistoryStore
import SQLiteHistory

/// The one place a backend is chosen: from the configuration's `database`, so the jobs never
/// name one (SPEC section 3.1).
public enum HistoryDatabases {
    /// Opens (creating and migrating as needed) the history `location` names: a SQLite file path.
    ///
    /// A `postgresql://` address is refused with a clear error until the PostgreSQL store exists,
    /// rather than taken for a file name.
    public static func open(_ location: String) throws -> any HistoryDatabase {
        if isServerAddress(location) {
            throw HistoryStoreError(
                "this fpreport keeps its history in SQLite only; PostgreSQL (\(schemeOf(location))://) is not built in yet. "
                    + "Set database to a file path.")
        }
        return try SQLiteHistoryStore(path: location)
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
