import FPModel

/// Identifies one collection run.
public typealias RunID = Int64

/// What the collector knows when a run begins.
public struct RunStart: Sendable {
    /// The observation time every event of the run carries.
    public var asOf: UnixSeconds
    public var startedAt: UnixSeconds
    public var toolVersion: String
    /// A digest of the configuration (never of the key), to tell runs of different setups apart.
    public var configDigest: String
    /// Who runs it (`host:pid`), shown when another run finds the lease taken.
    public var holder: String

    public init(asOf: UnixSeconds, startedAt: UnixSeconds, toolVersion: String, configDigest: String, holder: String) {
        self.asOf = asOf
        self.startedAt = startedAt
        self.toolVersion = toolVersion
        self.configDigest = configDigest
        self.holder = holder
    }
}

/// One account's result in one run, as the collector hands it to the store.
public struct AccountFetchResult: Sendable {
    public var account: Account
    public var outcome: FetchOutcome
    /// The HTTP status of the call that decided the outcome (the last one).
    public var httpStatus: Int?
    /// The most attempts any of the account's calls needed.
    public var attempts: Int
    /// Requests sent for the account, retries included.
    public var requests: Int
    /// Requests that repeated an earlier one.
    public var retries: Int
    /// How many of those were answered 429.
    public var rateLimited: Int
    /// Wall time from the first request to the last answer.
    public var latencyMillis: Int
    /// A short, escaped explanation when the outcome is not `ok`.
    public var error: String?
    /// Every batch seen, one status each; empty unless the outcome is `ok`.
    public var observations: [BatchObservation]
    /// Ids that came back under two statuses in this run.
    public var anomalies: [StatusAnomaly]

    public init(
        account: Account, outcome: FetchOutcome, httpStatus: Int? = nil, attempts: Int = 1, requests: Int = 0,
        retries: Int = 0, rateLimited: Int = 0, latencyMillis: Int = 0, error: String? = nil, observations: [BatchObservation] = [],
        anomalies: [StatusAnomaly] = []
    ) {
        self.account = account
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.requests = requests
        self.retries = retries
        self.rateLimited = rateLimited
        self.latencyMillis = latencyMillis
        self.error = error
        self.observations = observations
        self.anomalies = anomalies
    }
}

/// What writing one account changed.
public struct AccountWriteSummary: Sendable, Equatable {
    public var eventsWritten: Int = 0
    public var batchesCompared: Int = 0

    public init(eventsWritten: Int = 0, batchesCompared: Int = 0) {
        self.eventsWritten = eventsWritten
        self.batchesCompared = batchesCompared
    }
}

/// How a run ended, written when it finishes.
public struct RunTotals: Sendable, Equatable {
    public var accountsTotal = 0
    public var accountsOK = 0
    public var accountsFailed = 0
    public var requests = 0
    public var retries = 0
    public var rateLimited = 0
    public var eventsWritten = 0
    public var anomalies = 0

    public init() {}
}

/// The final state of a run.
public enum RunState: String, Sendable {
    case running
    /// Every account was attempted (some may have failed).
    case finished
    /// The run stopped before every account was attempted.
    case aborted
}

/// The kind of a change in `batch_events`.
public enum BatchEventKind: String, Sendable, CaseIterable {
    case firstSeen = "first_seen"
    case progress
    case status
    case disappeared
    case reappeared

    /// The kind whose raw value `bytes` spell, without making a string; nil for anything else.
    @inlinable
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let candidate: BatchEventKind
        switch bytes.first {
        case UInt8(ascii: "f"): candidate = .firstSeen
        case UInt8(ascii: "p"): candidate = .progress
        case UInt8(ascii: "s"): candidate = .status
        case UInt8(ascii: "d"): candidate = .disappeared
        case UInt8(ascii: "r"): candidate = .reappeared
        default: return nil
        }
        guard candidate.isSpelled(by: bytes) else { return nil }
        self = candidate
    }
}

/// What one observation of a batch adds to the history, given what was stored of it (SPEC
/// section 3): the one rule every backend writes by, so that the same answers make the same events.
public enum BatchChange {
    /// A batch as the store holds it before the observation.
    public struct Stored: Sendable, Equatable {
        public var status: BatchStatus
        public var progress: Int
        /// Whether the last successful fetch returned it.
        public var present: Bool

        public init(status: BatchStatus, progress: Int, present: Bool) {
            self.status = status
            self.progress = progress
            self.present = present
        }
    }

    /// The event `observation` makes and its gain over the previous observation (progress points
    /// are counted between consecutive observations, SPEC section 4); nil when nothing changed.
    public static func event(for observation: BatchObservation, previous: Stored?) -> (kind: BatchEventKind, gain: Int?)? {
        guard let previous else { return (.firstSeen, nil) }
        if !previous.present { return (.reappeared, nil) }
        let gain = observation.progress - previous.progress
        if previous.status != observation.status { return (.status, gain) }
        if previous.progress != observation.progress { return (.progress, gain) }
        return nil
    }
}
