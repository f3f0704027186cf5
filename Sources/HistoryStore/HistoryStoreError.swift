/// Why the history could not be read or written.
public struct HistoryStoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, so a caller can tell waiting from stopping.
    public enum Kind: String, Sendable {
        /// Another connection held the database longer than the store waits.
        case busy
        /// The disk or the database's size limit is full.
        case full
        /// The file or its folder cannot be written.
        case readOnly
        /// The file is damaged or not a database.
        case corrupt
        /// The operating system failed a read or write.
        case io
        case other
    }

    /// What went wrong, for a person.
    public var message: String
    /// The database file, when there is one.
    public var path: String?
    /// The run that holds the lease, when this error is `leaseHeld`.
    public var holder: String?
    public var isLeaseHeld: Bool
    public var kind: Kind
    /// SQLite's extended result code, when SQLite said no.
    public var sqliteCode: Int32?

    public init(
        _ message: String, path: String? = nil, holder: String? = nil, isLeaseHeld: Bool = false, kind: Kind = .other,
        sqliteCode: Int32? = nil
    ) {
        self.message = message
        self.path = path
        self.holder = holder
        self.isLeaseHeld = isLeaseHeld
        self.kind = kind
        self.sqliteCode = sqliteCode
    }

    public var description: String {
        guard let path else { return message }
        return "\(path): \(message)"
    }
}
