import FPModel
import Foundation
import GRDB
import HistoryStore

/// Writes a large, plausible history straight into the tables, for benchmarks and for tests that
/// need a long history: `accounts` accounts observed `runsPerDay` times a day for `nights` days.
///
/// It grows the way the real API's answers do (and the simulator's, whose arrival model it
/// follows): each account gets a few new batches a day (about `arrivalsPerDay` on average, some
/// accounts quiet and some busy), each waits, runs and completes, fails, stops or gets stuck, and
/// finished batches stay in every later answer, so the counts and the ledger grow night after
/// night while each night's changes stay about the same. Written as the collector writes
/// changes: `first_seen`, `progress` and `status` events, one fetch and five counts per account
/// and run, and the `batches` ledger. Far faster than collecting it through the simulator.
public struct SyntheticHistory: Sendable {
    public var accounts: Int
    public var nights: Int
    /// The fleet's mean arrivals per account and day (the simulator's is about 4).
    public var arrivalsPerDay: Double
    /// The share of batches that get stuck for good (in progress, never ending), as about 1 % of
    /// the simulator's do. Benchmarks set 0 to tell the history's length from the open set's growth.
    public var stuckShare: Double
    /// The first night's run time.
    public var start: UnixSeconds
    public var seed: UInt64
    /// How many managers share the accounts, in turn (`Manager 1`, `Manager 2`, … `Manager 0`).
    public var managers: Int
    /// Collections a day (the demo's is 4): the day's first at `start`'s time of day, the others
    /// after it within the same day, so a night's report sees all of them.
    public var runsPerDay: Int

    public init(
        accounts: Int, nights: Int, arrivalsPerDay: Double = 4, stuckShare: Double = 0.01, start: UnixSeconds, seed: UInt64 = 1,
        managers: Int = 10, runsPerDay: Int = 1
    ) {
        self.accounts = accounts
        self.nights = nights
        self.arrivalsPerDay = arrivalsPerDay
        self.stuckShare = stuckShare
        self.start = start
        self.seed = seed
        self.managers = max(1, managers)
        self.runsPerDay = max(1, runsPerDay)
    }

    /// When run `index` (from 0) observes: `runsPerDay` runs spread over the 9 h 26 min after the
    /// day's first (the benchmarks' `start` is at 14:13 UTC, so the last is before midnight).
    func runTime(_ index: Int) -> UnixSeconds {
        let (day, run) = index.quotientAndRemainder(dividingBy: runsPerDay)
        return start + Int64(day) * 86_400 + Int64(run) * Int64(34_000 / runsPerDay)
    }

    /// What `write(into:)` wrote.
    public struct Totals: Sendable, Hashable {
        public var events = 0
        public var batches = 0
        public init() {}
    }

    /// One batch's story: when it arrives, starts and ends, and how.
    struct Plan {
        var id: String
        var createdAt: Int64
        var startsAt: Int64
        var endsAt: Int64
        /// Where its story ends: completed at 1, failed or stopped at the fraction, or stuck there.
        var fate: BatchStatus
        var fraction: Double
        var status = BatchStatus.pending
        var progress = 0
        var firstSeenAt: Int64 = 0
        var statusSince: Int64 = 0
        var progressSince: Int64 = 0
        var lastEventAt: Int64 = 0

        /// Status and progress at `time`, as the simulator's `SimulatedWorld.state` works them out.
        func state(at time: Int64) -> (BatchStatus, Int) {
            if time < startsAt { return (.pending, 0) }
            let elapsed = Double(time - startsAt) / Double(max(1, endsAt - startsAt))
            func percent(_ value: Double) -> Int { min(99, max(0, Int((value * 100).rounded(.down)))) }
            switch fate {
            case .completed: return elapsed >= 1 ? (.completed, 100) : (.inProgress, percent(elapsed))
            case .failed, .stopped: return elapsed >= fraction ? (fate, percent(fraction)) : (.inProgress, percent(elapsed))
            default: return (.inProgress, percent(min(elapsed, fraction)))
            }
        }
    }

    /// An account's open batches, what its finished ones add up to, and its next arrival.
    struct Account {
        var id: String
        var arrivalsPerDay: Double
        var failureChance: Double
        var open: [Plan] = []
        var finishedCounts = StatusCounts()
        var finishedProgress = StatusCounts()
        var nextArrival: Double
        var nextID: Int
    }

    /// Fills `store` (expected empty) in one transaction.
    @discardableResult
    public func write(into store: SQLiteHistoryStore) async throws -> Totals {
        try await store.write("cannot write the synthetic history") { db in try self.write(db) }
    }

    func write(_ db: Database) throws -> Totals {
        var rng = SplitMix64(seed: seed)
        var totals = Totals()
        let runs = nights * runsPerDay
        let last = runTime(runs - 1)
        var fleet: [Account] = (0..<accounts).map { index in
            // As the simulator: a few quiet accounts, most moderate, a few busy; a fifth troubled.
            let busy = rng.unit()
            let shape = busy < 0.15 ? 0.25 + 0.25 * rng.unit() : (busy > 0.9 ? 2 + 2 * rng.unit() : 0.4 + rng.unit())
            let troubled = rng.unit() < 0.2
            return Account(
                id: String(format: "acc-%05d", index + 1), arrivalsPerDay: arrivalsPerDay * shape,
                failureChance: troubled ? 0.15 + 0.25 * rng.unit() : 0.01 + 0.06 * rng.unit(),
                // Arrivals begin three days early, so the first collection finds finished batches.
                nextArrival: Double(start - 3 * 86_400), nextID: 1000 + Int(rng.next() % 90_000) * 10)
        }
        let insertAccount = try db.makeStatement(sql: "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)")
        for (index, account) in fleet.enumerated() {
            try insertAccount.execute(arguments: [account.id, "Account \(account.id)", "Manager \((index + 1) % managers)", start, last])
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
            INSERT INTO batch_events (account_id, batch_id, run_id, observed_at, kind, status, progress, gain)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertBatch = try db.makeStatement(sql: """
            INSERT INTO batches (account_id, batch_id, status, progress, present, first_seen_at, status_since,
                                 last_progress_change_at, terminal_at, last_seen_run, last_event_at)
            VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
            """)
        for runIndex in 0..<runs {
            let run = Int64(runIndex + 1)
            let at = runTime(runIndex)
            try insertRun.execute(arguments: [run, at, at, at + 600, accounts, accounts])
            for index in fleet.indices {
                var account = fleet[index]
                // Arrivals up to this run: exponential gaps, each batch's numbers drawn as it arrives.
                while account.nextArrival <= Double(at) {
                    let created = Int64(account.nextArrival)
                    let wait: Int64 = rng.unit() < 0.05 ? 26 * 3600 + Int64(20 * 3600 * rng.unit()) : 300 + Int64(3 * 3600 * rng.unit())
                    let duration = 1200 + Int64(6 * 3600 * rng.unit())
                    let draw = rng.unit()
                    let fate: BatchStatus = draw < account.failureChance ? .failed
                        : draw < account.failureChance + 0.03 ? .stopped
                        : draw < account.failureChance + 0.03 + stuckShare ? .inProgress : .completed
                    account.open.append(Plan(
                        id: String(account.nextID), createdAt: created, startsAt: created + wait, endsAt: created + wait + duration,
                        fate: fate, fraction: 0.05 + 0.9 * rng.unit()))
                    account.nextID += 1 + Int(rng.next() % 3)
                    account.nextArrival += -86_400 / account.arrivalsPerDay * log(1 - rng.unit() * 0.999_999)
                }
                var stillOpen: [Plan] = []
                stillOpen.reserveCapacity(account.open.count)
                for var plan in account.open {
                    let (status, progress) = plan.state(at: at)
                    let kind: BatchEventKind? = plan.firstSeenAt == 0 ? .firstSeen
                        : status != plan.status ? .status : progress != plan.progress ? .progress : nil
                    if let kind {
                        let gain: Int? = kind == .firstSeen ? nil : progress - plan.progress
                        try insertEvent.execute(arguments: [account.id, plan.id, run, at, kind.rawValue, status.rawValue, progress, gain])
                        totals.events += 1
                        if plan.firstSeenAt == 0 { (plan.firstSeenAt, plan.statusSince, plan.progressSince) = (at, at, at) }
                        if status != plan.status { plan.statusSince = at }
                        if progress != plan.progress { plan.progressSince = at }
                        (plan.status, plan.progress, plan.lastEventAt) = (status, progress, at)
                    }
                    if status.isTerminal {
                        account.finishedCounts[status] += 1
                        account.finishedProgress[status] += progress
                        try insertBatch.execute(arguments: [
                            account.id, plan.id, status.rawValue, progress, plan.firstSeenAt, plan.statusSince, plan.progressSince,
                            plan.statusSince, run, plan.lastEventAt,
                        ])
                        totals.batches += 1
                    } else {
                        stillOpen.append(plan)
                    }
                }
                account.open = stillOpen
                var counts = account.finishedCounts
                var sums = account.finishedProgress
                for plan in stillOpen {
                    counts[plan.status] += 1
                    sums[plan.status] += plan.progress
                }
                try insertFetch.execute(arguments: [run, account.id, at, counts.total])
                for status in BatchStatus.allCases {
                    try insertCounts.execute(arguments: [run, account.id, status.rawValue, at, counts[status], sums[status]])
                }
                fleet[index] = account
            }
        }
        // The ledger's open batches, as the last run left them.
        for account in fleet {
            for plan in account.open {
                try insertBatch.execute(arguments: [
                    account.id, plan.id, plan.status.rawValue, plan.progress, plan.firstSeenAt, plan.statusSince, plan.progressSince,
                    nil, Int64(runs), plan.lastEventAt,
                ])
                totals.batches += 1
            }
        }
        return totals
    }
}
