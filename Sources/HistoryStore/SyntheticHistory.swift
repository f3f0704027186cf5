import FPModel
import Foundation
import GRDB

/// Writes a large, plausible history straight into the tables, for benchmarks: `accounts` ×
/// `batchesPerAccount` batches observed over `nights` nights, one run a night, with `changeShare`
/// of the batches changing each night. Far faster than collecting it, and shaped the same.
public struct SyntheticHistory: Sendable {
    public var accounts: Int
    public var batchesPerAccount: Int
    public var nights: Int
    public var changeShare: Double
    /// The first night's run time.
    public var start: UnixSeconds

    public init(accounts: Int, batchesPerAccount: Int = 20, nights: Int, changeShare: Double = 0.05, start: UnixSeconds) {
        self.accounts = accounts
        self.batchesPerAccount = batchesPerAccount
        self.nights = nights
        self.changeShare = changeShare
        self.start = start
    }

    /// Fills `store` (expected empty); returns the number of events written.
    @discardableResult
    public func write(into store: SQLiteHistoryStore) async throws -> Int {
        try await store.write("cannot write the synthetic history") { db in
            var rng = SystemRandomNumberGenerator()
            var events = 0
            let accountIDs = (0..<accounts).map { String(format: "acc-%05d", $0 + 1) }
            let insertAccount = try db.makeStatement(sql: "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)")
            for id in accountIDs {
                try insertAccount.execute(arguments: [id, "Account \(id)", "Manager \(id.suffix(1))", start, start + Int64(nights - 1) * 86_400])
            }
            let insertRun = try db.makeStatement(sql: """
                INSERT INTO runs (id, as_of, started_at, finished_at, status, accounts_total, accounts_ok, tool_version, config_digest)
                VALUES (?, ?, ?, ?, 'finished', ?, ?, 'synthetic', 'synthetic')
                """)
            let insertFetch = try db.makeStatement(sql: """
                INSERT INTO account_fetches (run_id, account_id, observed_at, outcome, http_status, attempts, requests, latency_ms, batches)
                VALUES (?, ?, ?, 'ok', 200, 1, 5, 40, ?)
                """)
            let insertCounts = try db.makeStatement(sql: """
                INSERT INTO run_status_counts (run_id, account_id, status, observed_at, batch_count, progress_sum) VALUES (?, ?, ?, ?, ?, ?)
                """)
            let insertEvent = try db.makeStatement(sql: """
                INSERT INTO batch_events (account_id, batch_id, run_id, observed_at, kind, status, progress) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            // Current state per account and batch: status index and progress.
            var states = [[(status: BatchStatus, progress: Int)]](
                repeating: Array(repeating: (.pending, 0), count: batchesPerAccount), count: accounts)
            for night in 0..<nights {
                let run = Int64(night + 1)
                let at = start + Int64(night) * 86_400
                try insertRun.execute(arguments: [run, at, at, at + 600, accounts, accounts])
                for (a, id) in accountIDs.enumerated() {
                    try insertFetch.execute(arguments: [run, id, at, batchesPerAccount])
                    for b in 0..<batchesPerAccount {
                        let batchID = String(100_000 + b)
                        var state = states[a][b]
                        let kind: BatchEventKind
                        if night == 0 {
                            kind = .firstSeen
                        } else if Double.random(in: 0..<1, using: &rng) < changeShare {
                            switch state.status {
                            case .pending: state = (.inProgress, 10)
                            case .inProgress where state.progress < 90: state.progress += 30
                            case .inProgress: state = Double.random(in: 0..<1, using: &rng) < 0.1 ? (.failed, state.progress) : (.completed, 100)
                            default: continue
                            }
                            kind = state.status == states[a][b].status ? .progress : .status
                        } else {
                            continue
                        }
                        states[a][b] = state
                        try insertEvent.execute(arguments: [id, batchID, run, at, kind.rawValue, state.status.rawValue, state.progress])
                        events += 1
                    }
                    for status in BatchStatus.allCases {
                        let matching = states[a].filter { $0.status == status }
                        try insertCounts.execute(arguments: [run, id, status.rawValue, at, matching.count, matching.reduce(0) { $0 + $1.progress }])
                    }
                }
            }
            // The batches table holds the final state.
            let insertBatch = try db.makeStatement(sql: """
                INSERT INTO batches VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
                """)
            let last = start + Int64(nights - 1) * 86_400
            for (a, id) in accountIDs.enumerated() {
                for b in 0..<batchesPerAccount {
                    let state = states[a][b]
                    try insertBatch.execute(arguments: [
                        id, String(100_000 + b), state.status.rawValue, state.progress, start, start, start,
                        state.status.isTerminal ? last : nil, Int64(nights),
                    ])
                }
            }
            return events
        }
    }
}
