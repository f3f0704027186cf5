import FPModel

/// Where a run's accounts come from: the configured list, or, when several collectors share one
/// run, the accounts this process claims from the history as it goes (see `SharedRuns`).
public protocol AccountSource: Sendable {
    /// Every account this source may hand out: their keys are taken out of whatever servers send
    /// back, and their number sizes the run's retry budget.
    var accounts: [Account] { get }

    /// The next account to collect, or nil when none is left for this process.
    func next() async throws -> Account?

    /// The accounts this run counts for this process, once `done` of them were collected.
    func plannedTotal(done: Int) async -> Int
}

/// A fixed list, handed out in order: one process collects every account.
public actor AccountList: AccountSource {
    public nonisolated let accounts: [Account]
    private var position = 0

    public init(_ accounts: [Account]) { self.accounts = accounts }

    public func next() -> Account? {
        guard position < accounts.count else { return nil }
        defer { position += 1 }
        return accounts[position]
    }

    /// Every account of the list, collected or not (a run stopped early still planned them all).
    public func plannedTotal(done: Int) -> Int { accounts.count }
}
