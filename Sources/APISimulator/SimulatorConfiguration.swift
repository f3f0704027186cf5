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

    public init(
        accounts: Int = 50,
        seed: UInt64 = 1,
        apiKey: String = "test-key",
        start: Date = Date(timeIntervalSince1970: 1_793_491_200),  // 2026-11-01T00:00:00Z
        faults: FaultProfile = .none,
        unauthorizedAccounts: Set<String> = [],
        forbiddenAccounts: Set<String> = [],
        requestsPerMinutePerAccount: Int = 400
    ) {
        self.accounts = accounts
        self.seed = seed
        self.apiKey = apiKey
        self.start = start
        self.faults = faults
        self.unauthorizedAccounts = unauthorizedAccounts
        self.forbiddenAccounts = forbiddenAccounts
        self.requestsPerMinutePerAccount = requestsPerMinutePerAccount
    }
}

/// A named set of faults (SPEC section 7).
public enum FaultProfile: String, Sendable, CaseIterable {
    /// Every request answered promptly and correctly.
    case none
}
