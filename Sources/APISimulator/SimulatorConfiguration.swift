import Foundation

/// Everything that makes one simulated API differ from another.
public struct SimulatorConfiguration: Sendable {
    /// Number of accounts, `acc-0001` … `acc-NNNN`.
    public var accounts: Int
    /// The seed every account's story is drawn from.
    public var seed: UInt64
    /// The bearer token the simulator accepts. Held as given; never logged.
    public var apiKey: String
    /// Virtual time when the clock starts and batches begin to arrive.
    public var start: Date
    /// Faults to inject.
    public var faults: FaultProfile
    /// Accounts that answer 401 and 403 whatever the key (beyond unknown ids, which are 403).
    public var unauthorizedAccounts: Set<String>
    public var forbiddenAccounts: Set<String>
    /// Documented API limit per account per minute; the `ratelimit` profile enforces it.
    public var requestsPerMinutePerAccount: Int
    /// Requests the `ratelimit` profile lets through at once before pacing.
    public var rateLimitBurst: Int
    /// Added to every answer (the `flaky` profile adds up to as much again as jitter).
    public var latencyMillis: Int
    /// How long a `slow` account's request hangs.
    public var hangSeconds: Double
    /// Batches that go missing and come back, and completions first reported as failures
    /// (``SimulatedWorld/churn``).
    public var churn: Bool

    public init(
        accounts: Int = 50,
        seed: UInt64 = 1,
        apiKey: String = "test-key",
        start: Date = Date(timeIntervalSince1970: 1_793_491_200),  // 2026-11-01T00:00:00Z
        faults: FaultProfile = .none,
        unauthorizedAccounts: Set<String> = [],
        forbiddenAccounts: Set<String> = [],
        requestsPerMinutePerAccount: Int = 400,
        rateLimitBurst: Int = 10,
        latencyMillis: Int = 0,
        hangSeconds: Double = 600,
        churn: Bool = false
    ) {
        self.churn = churn
        self.accounts = accounts
        self.seed = seed
        self.apiKey = apiKey
        self.start = start
        self.faults = faults
        self.unauthorizedAccounts = unauthorizedAccounts
        self.forbiddenAccounts = forbiddenAccounts
        self.requestsPerMinutePerAccount = requestsPerMinutePerAccount
        self.rateLimitBurst = rateLimitBurst
        self.latencyMillis = latencyMillis
        self.hangSeconds = hangSeconds
    }
}

/// A named set of faults (SPEC section 7), deterministic for a seed.
public enum FaultProfile: String, Sendable, CaseIterable {
    /// Every request answered promptly and correctly.
    case none
    /// About 5 % 5xx, 2 % connection resets, latency jitter.
    case flaky
    /// The documented per-account limit enforced with a small burst; 429 without Retry-After.
    case ratelimit
    /// Every tenth account (acc-0003, acc-0013, …) hangs far past any sane timeout.
    case slow
    /// Every fifth account (acc-0002, acc-0007, …) answers malformed JSON, wrong types, out-of-range
    /// values, non-digit keys, a 10 MiB body or HTML.
    case hostile
    /// Every request is 503.
    case outage

    /// The accounts of `world` this profile makes misbehave on every request (slow and hostile).
    public func affectedAccounts(in world: SimulatedWorld) -> [String] {
        switch self {
        case .slow: world.accountIDs.enumerated().filter { ($0.offset + 1) % 10 == 3 }.map(\.element)
        case .hostile: world.accountIDs.enumerated().filter { ($0.offset + 1) % 5 == 2 }.map(\.element)
        case .none, .flaky, .ratelimit, .outage: []
        }
    }
}
