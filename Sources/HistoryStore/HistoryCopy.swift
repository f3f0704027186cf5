import FPModel

/// Moving a history from one backend to another (`fpreport migrate-history`): the rows exactly
/// as stored, ids included, so the copy answers every read (and builds every report) as the
/// original does.

/// A run's row, every column.
public struct StoredRun: Sendable, Equatable {
    public var id: RunID
    public var asOf: UnixSeconds
    public var startedAt: UnixSeconds
    public var finishedAt: UnixSeconds?
    public var status: String
    public var totals: RunTotals
    public var toolVersion: String
    public var configDigest: String
    public var holder: String?
    public var heartbeatAt: UnixSeconds?

    public init(
        id: RunID, asOf: UnixSeconds, startedAt: UnixSeconds, finishedAt: UnixSeconds?, status: String, totals: RunTotals,
        toolVersion: String, configDigest: String, holder: String?, heartbeatAt: UnixSeconds?
    ) {
        self.id = id
        self.asOf = asOf
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.totals = totals
        self.toolVersion = toolVersion
        self.configDigest = configDigest
        self.holder = holder
        self.heartbeatAt = heartbeatAt
    }
}

/// A batch event's row: the event, its id (its place in observation order) and its gain.
public struct StoredEvent: Sendable, Hashable {
    public var id: Int64
    public var event: BatchEventRecord
    public var gain: Int?

    public init(id: Int64, event: BatchEventRecord, gain: Int?) {
        self.id = id
        self.event = event
        self.gain = gain
    }
}

/// A fetch's row: the fetch and the number of batches it returned.
public struct StoredFetch: Sendable, Hashable {
    public var fetch: FetchRecord
    public var batches: Int

    public init(fetch: FetchRecord, batches: Int) {
        self.fetch = fetch
        self.batches = batches
    }
}

/// One run's rows: its fetches, the events it wrote and its status counts.
public struct StoredRunContents: Sendable {
    public var run: StoredRun
    public var fetches: [StoredFetch] = []
    public var events: [StoredEvent] = []
    /// One per account and status.
    public var counts: [(accountID: String, status: BatchStatus, observedAt: UnixSeconds, count: Int, progressSum: Int)] = []

    public init(run: StoredRun) { self.run = run }
}

/// A history that can hand out its rows as stored.
public protocol HistoryExporting: HistoryReader {
    /// Every run, oldest `as_of` first.
    func storedRuns() async throws -> [StoredRun]
    /// The rows of `run`: its fetches, events and counts.
    func storedContents(of run: StoredRun) async throws -> StoredRunContents
    /// Up to `limit` rows of `batches` (each batch's current state) after `key` (account, batch), in key order.
    func storedBatches(after key: (accountID: String, batchID: String)?, limit: Int) async throws -> [LedgerBatch]
    /// Rows per table, for checking a copy.
    func tableCounts() async throws -> [String: Int]
}

/// A history that can take rows as stored.
public protocol HistoryImporting: HistoryDatabase {
    /// The `as_of` of every run already here.
    func storedRunTimes() async throws -> Set<UnixSeconds>
    /// Adds one run with all its rows in one transaction (a copy stopped half-way holds whole runs only).
    func importRun(_ contents: StoredRunContents) async throws
    /// Adds rows of `batches`; `first` empties the table before (a copy started again replaces them all).
    func importBatches(_ batches: [LedgerBatch], first: Bool) async throws
    /// Sets the accounts (names, managers, health) as `accounts` say and moves id generators past the copied ids.
    func importAccounts(_ accounts: [AccountRecord]) async throws
    /// Rows per table, for checking a copy.
    func tableCounts() async throws -> [String: Int]
}

/// The history's tables (SPEC section 3), in the order a copy fills them.
public enum HistoryTables {
    public static let all = ["runs", "account_fetches", "batches", "batch_events", "run_status_counts", "accounts"]
}
