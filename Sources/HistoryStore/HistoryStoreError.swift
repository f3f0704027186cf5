/// Why the history could not be read or written.
public struct HistoryStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for a person.
    public var message: String
    /// The database file, when there is one.
    public var path: String?
    /// The run that holds the lease, when this error is `leaseHeld`.
    public var holder: String?
    public var isLeaseHeld: Bool

    public init(_ message: String, path: String? = nil, holder: String? = nil, isLeaseHeld: Bool = false) {
        self.message = message
        self.path = path
        self.holder = holder
        self.isLeaseHeld = isLeaseHeld
    }

    public var description: String {
        guard let path else { return message }
        return "\(path): \(message)"
    }
}
