/// One batch as seen in one run: its id, the status whose call returned it, and its progress.
public struct BatchObservation: Sendable, Hashable {
    /// The batch-process id: decimal digits, kept as text (ids are not quantities).
    public var batchID: String
    public var status: BatchStatus
    /// Progress in percent, 0...100.
    public var progress: Int

    public init(batchID: String, status: BatchStatus, progress: Int) {
        self.batchID = batchID
        self.status = status
        self.progress = progress
    }
}

/// A batch id that one run returned under two statuses (it moved between the calls).
public struct StatusAnomaly: Sendable, Hashable {
    public var batchID: String
    /// The statuses it was returned under, in lifecycle order; the last one is kept.
    public var statuses: [BatchStatus]

    public init(batchID: String, statuses: [BatchStatus]) {
        self.batchID = batchID
        self.statuses = statuses
    }
}
