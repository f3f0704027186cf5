import FPModel
import Foundation
import HistoryStore

/// This process's part in a run that collectors on several hosts share (SPEC section 3.1), as the
/// collector sees it: the source of its accounts and the writer of their results.
///
/// Accounts are claimed from the history in chunks; each is stored only while this process still
/// holds its claim, and the claims are renewed with the run's heartbeat. When nothing is left to
/// claim the process waits while other collectors still hold claims, so that the accounts of one
/// that dies (its lease runs out) are taken over, and ends when every account is done or at its
/// deadline.
public actor SharedRun: AccountSource, HistoryWriter {
    public nonisolated let accounts: [Account]
    let database: any SharedRunDatabase
    let holder: String
    let chunkSize: Int
    let leaseSeconds: Int64
    let pollSeconds: Double
    let deadline: Date
    private let byID: [String: Account]
    private let ids: [String]

    private var run: RunID?
    private var claimed: [Account] = []
    private var handedOut = 0
    /// Accounts collected here whose claim had run out before they were stored (another collector stored them).
    public private(set) var lostClaims = 0
    /// How the run stood when this process closed its part.
    public private(set) var progress: SharedRunProgress?
    /// Of the accounts then left to do, those this process's list does not name.
    public private(set) var leftOutsideList = 0

    public init(
        database: any SharedRunDatabase, accounts: [Account], holder: String, chunkSize: Int = 50, leaseSeconds: Int64 = 120,
        pollSeconds: Double = 1, deadline: Date
    ) {
        self.database = database
        self.accounts = accounts
        self.holder = holder
        self.chunkSize = max(1, chunkSize)
        self.leaseSeconds = max(2, leaseSeconds)
        self.pollSeconds = pollSeconds
        self.deadline = deadline
        self.byID = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.ids = accounts.map(\.id)
    }

    // MARK: AccountSource

    public func next() async throws -> Account? {
        guard let run else { return nil }
        while claimed.isEmpty {
            let picked = try await database.claimAccounts(run: run, among: ids, holder: holder, limit: chunkSize, leaseSeconds: leaseSeconds)
            if !picked.isEmpty {
                claimed = picked.compactMap { byID[$0] }
                handedOut += claimed.count
                break
            }
            // Nothing to claim: done, unless others (or this process's own accounts in flight) still
            // hold claims on accounts this process could take over. Claims on accounts only other
            // collectors' lists name are theirs to finish: waiting for them kept a survivor with a
            // shorter list running to its deadline (three hours by default) after its peer died.
            let now = Date()
            let standing = try await database.sharedProgress(run: run, among: ids)
            guard standing.claimed + standing.lapsed > 0, now < deadline else { return nil }
            try await database.renewClaims(run: run, holder: holder, leaseSeconds: leaseSeconds, at: now.unixSeconds)
            try await Task.sleep(for: .seconds(pollSeconds))
        }
        return claimed.removeFirst()
    }

    public func plannedTotal(done: Int) -> Int { done }

    // MARK: HistoryWriter

    public func beginRun(_ start: RunStart) async throws -> RunID {
        let run = try await database.joinRun(start, accounts: ids)
        self.run = run
        return run
    }

    public func record(_ result: AccountFetchResult, run: RunID) async throws -> AccountWriteSummary {
        if let written = try await database.record(result, run: run, claimedBy: holder) { return written }
        lostClaims += 1
        return AccountWriteSummary()
    }

    public func heartbeat(run: RunID, at time: UnixSeconds) async throws {
        try await database.renewClaims(run: run, holder: holder, leaseSeconds: leaseSeconds, at: time)
    }

    public func unhealthyAccounts(failedRuns runs: Int) async throws -> [String] {
        try await database.unhealthyAccounts(failedRuns: runs)
    }

    /// Closes this process's part: claims it could not finish go back at once, and the run is
    /// closed as finished by whichever collector sees its last account done.
    public func finishRun(_ run: RunID, state: RunState, totals: RunTotals, finishedAt: UnixSeconds) async throws {
        if state != .finished || !claimed.isEmpty { try? await database.releaseClaims(run: run, holder: holder) }
        let standing = try await database.closeShare(run: run, finishedAt: finishedAt)
        progress = standing
        if !standing.finished {
            leftOutsideList = standing.remaining - (try await database.sharedProgress(run: run, among: ids).remaining)
        }
    }
}
