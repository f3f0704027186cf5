import FPModel
import Foundation
import HistoryStore
import Testing

@testable import PostgresHistory
@testable import SQLiteHistory

/// The two backends are one history: the same writes give the same answers to every read, prune
/// removes the same rows, and the run lock behaves the same (SPEC section 3.1).
@Suite struct ConformanceTests {
    /// A varied history, made the same way for each store: accounts that grow, finish, fail,
    /// vanish and come back, fetches that fail, a night re-run with another answer.
    static func writeHistory(into store: any HistoryDatabase, accounts: Int = 12, runs: Int = 16, seed: UInt64 = 7) async throws {
        var random = SplitMix64(seed: seed)
        var batches: [[(id: String, status: BatchStatus, progress: Int, hidden: Bool)]] = Array(repeating: [], count: accounts)
        var nextID = 1
        for runIndex in 0..<runs {
            let asOf = Int64(1_800_000_000 + runIndex * 21_600)
            // The eleventh night is collected twice: the re-run sees other answers.
            let passes = runIndex == 10 ? 2 : 1
            for pass in 0..<passes {
                let run = try await store.beginRun(RunStart(
                    asOf: asOf, startedAt: asOf + Int64(pass), toolVersion: "test", configDigest: "d", holder: "test:\(pass)"))
                var totals = RunTotals()
                for index in 0..<accounts {
                    let account = Account(id: "acc-\(String(format: "%03d", index))", name: "Account \(index)", manager: "M\(index % 3)")
                    totals.accountsTotal += 1
                    if random.next() % 9 == 0 {
                        let outcome: FetchOutcome = [.timeout, .serverError, .forbidden][Int(random.next() % 3)]
                        _ = try await store.record(AccountFetchResult(
                            account: account, outcome: outcome, httpStatus: outcome == .forbidden ? 403 : nil, requests: 2,
                            error: "\(outcome.rawValue) at run \(runIndex)"), run: run)
                        totals.accountsFailed += 1
                        continue
                    }
                    for position in batches[index].indices {
                        var batch = batches[index][position]
                        switch (batch.status, random.next() % 6) {
                        case (.pending, 0...2): batch.status = .inProgress; batch.progress = Int(random.next() % 30)
                        case (.inProgress, 0...1): batch.progress = min(99, batch.progress + Int(random.next() % 40))
                        case (.inProgress, 2): batch.status = .completed; batch.progress = 100
                        case (.inProgress, 3): batch.status = random.next() % 2 == 0 ? .failed : .stopped
                        case (.completed, 5), (.failed, 5): batch.hidden.toggle()
                        case (.failed, 4): batch.status = .inProgress; batch.progress = 5  // retried: open again
                        default: break
                        }
                        batches[index][position] = batch
                    }
                    for _ in 0..<Int(random.next() % 3) {
                        batches[index].append((String(nextID), random.next() % 4 == 0 ? .inProgress : .pending, 0, false))
                        nextID += 1
                    }
                    let observations = batches[index].filter { !$0.hidden }.map {
                        BatchObservation(batchID: $0.id, status: $0.status, progress: $0.progress)
                    }
                    _ = try await store.record(
                        AccountFetchResult(account: account, outcome: .ok, httpStatus: 200, requests: 1 + index % 3, observations: observations),
                        run: run)
                    totals.accountsOK += 1
                }
                try await store.finishRun(run, state: .finished, totals: totals, finishedAt: asOf + 600)
            }
        }
    }

    /// A night's batch states are what replaying the events says, at any time and for any window:
    /// an early one, when later changes are in the history already (a backfill), and the latest.
    /// Batches that vanish and come back, retried ones that open again, and ones that sit still
    /// for many runs are all in the history.
    @Test(arguments: Backend.available)
    func batchStatesAreTheReplayedEventsAtAnyTime(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await Self.writeHistory(into: opened.store, runs: 24)
        #expect(try await opened.store.consistencyProblems() == [])
        let events = try await opened.store.events(from: 0, to: .max)
        #expect(events.contains { $0.kind == .status && $0.status == .inProgress && $0.progress == 5 }, "a batch reopened")
        #expect(events.contains { $0.kind == .disappeared })
        let start: Int64 = 1_800_000_000
        var quietOpenOnes = 0
        for (hours, span) in [(6, 24), (30, 24), (54, 6), (90, 24), (138, 24), (138, 200), (150, 1)] {
            let time = start + Int64(hours) * 3600
            let since = time - Int64(span) * 3600
            struct Replayed { var latest: BatchEventRecord; var firstSeenAt: Int64; var firstTerminalAt: Int64? }
            var replayed: [String: Replayed] = [:]
            for event in events where event.observedAt <= time {
                let key = event.accountID + "/" + event.batchID
                var batch = replayed[key] ?? Replayed(latest: event, firstSeenAt: event.observedAt)
                batch.latest = event
                if event.status.isTerminal, event.kind != .disappeared, batch.firstTerminalAt == nil { batch.firstTerminalAt = event.observedAt }
                replayed[key] = batch
            }
            let expected = replayed.values
                .filter { $0.latest.kind != .disappeared && (!$0.latest.status.isTerminal || $0.latest.observedAt >= since) }
                .map {
                    BatchStateRecord(
                        accountID: $0.latest.accountID, batchID: $0.latest.batchID, status: $0.latest.status,
                        progress: $0.latest.progress, firstSeenAt: $0.firstSeenAt, lastChangeAt: $0.latest.observedAt,
                        terminalAt: $0.latest.status.isTerminal ? $0.firstTerminalAt : nil)
                }
                .sorted { ($0.accountID, $0.batchID.count, $0.batchID) < ($1.accountID, $1.batchID.count, $1.batchID) }
            let states = try await opened.store.batchStates(at: time, activeSince: since)
            #expect(states == expected, "at hour \(hours), since \(span) hours before")
            quietOpenOnes += expected.filter { !$0.status.isTerminal && $0.lastChangeAt < since }.count
        }
        #expect(quietOpenOnes > 0, "open batches without a change in the window are among them")
    }

    /// Everything a report reads, at a few times, as one comparable value.
    struct Reads: Equatable {
        var accounts: [AccountRecord] = []
        var runs: [RunRecord] = []
        var counts: [[AccountStatusCounts]] = []
        var events: [BatchEventRecord] = []
        var fetches: [FetchRecord] = []
        var states: [[BatchStateRecord]] = []
        var ledger: [LedgerBatch] = []
        var steps: [ProgressStep] = []
        var tallies: [EventTally] = []
        var marks: [FetchMark] = []
        var countHistory: [AccountStatusCounts] = []
        var durations: [TerminalDuration] = []
        var unhealthy: [String] = []
        var lastRun: RunRecord?
        var problems: [String] = []
    }

    static func reads(_ store: any HistoryDatabase) async throws -> Reads {
        var reads = Reads()
        let start: Int64 = 1_800_000_000
        reads.accounts = try await store.accounts()
        reads.runs = try await store.runs(from: 0, to: .max)
        for hours in [0, 30, 54, 90] {
            reads.counts.append(try await store.statusCounts(atOrBefore: start + Int64(hours) * 3600))
            reads.states.append(try await store.batchStates(at: start + Int64(hours) * 3600, activeSince: start + Int64(hours - 24) * 3600))
        }
        reads.events = try await store.events(from: 0, to: .max)
        reads.fetches = try await store.fetches(from: 0, to: .max)
        reads.ledger = try await store.reduceLedger(firstSeenFrom: nil, to: nil, into: { [] }) { $0.append($1) }
        reads.steps = try await store.progressSteps(from: start, to: start + 40 * 3600)
        reads.tallies = try await store.eventTallies(from: start + 6 * 3600, to: start + 60 * 3600)
        reads.marks = try await store.reduceFetchMarks(from: start + 6 * 3600, to: start + 60 * 3600, into: { [] }) { $0.append($1) }
        reads.countHistory = try await store.lastStatusCounts(inPeriods: [start + 6 * 3600, start + 30 * 3600, start + 54 * 3600, start + 60 * 3600])
        // Terminal times of one account and observation come in no particular order; their set is what counts.
        reads.durations = try await store.terminalDurations(from: 0, to: .max)
            .sorted { ($0.accountID, $0.seconds, $0.status.rawValue) < ($1.accountID, $1.seconds, $1.status.rawValue) }
        reads.unhealthy = try await store.unhealthyAccounts(failedRuns: 1)
        reads.lastRun = try await store.lastRun(before: start + 50 * 3600)
        reads.problems = try await store.consistencyProblems()
        return reads
    }

    /// What the trends count from tallies and marks is what they would count from the events and
    /// the fetches: each store's tallies of a period add up to its events of that period, grouped,
    /// and its marks are its fetches, cut down, in the same order.
    @Test(arguments: Backend.available)
    func eventTalliesAndFetchMarksAreTheEventsAndFetches(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await Self.writeHistory(into: opened.store)
        let start: Int64 = 1_800_000_000
        for (from, to) in [(Int64(0), Int64.max), (start + 6 * 3600, start + 60 * 3600), (start + 7 * 3600, start + 7 * 3600 + 1)] {
            let marks = try await opened.store.reduceFetchMarks(from: from, to: to, into: { [] }) { $0.append($1) }
            #expect(marks == (try await opened.store.fetches(from: from, to: to)).map {
                FetchMark(accountID: $0.accountID, observedAt: $0.observedAt, outcome: $0.outcome)
            })
            #expect(!marks.isEmpty || to == start + 7 * 3600 + 1)
            var grouped: [EventTally: Int] = [:]
            for event in try await opened.store.events(from: from, to: to) {
                grouped[EventTally(accountID: event.accountID, observedAt: event.observedAt, kind: event.kind, status: event.status, count: 0), default: 0] += 1
            }
            let tallies = try await opened.store.eventTallies(from: from, to: to)
            #expect(tallies.count == grouped.count)
            #expect(Dictionary(uniqueKeysWithValues: tallies.map { tally in
                var key = tally
                key.count = 0
                return (key, tally.count)
            }) == grouped)
            // Tallies are worth it: most of an observation's events are alike.
            if from == 0 { #expect(tallies.reduce(0) { $0 + $1.count } > tallies.count) }
        }
        // Each account's tallies come in observation order.
        let ordered = try await opened.store.reduceEventTallies(from: 0, to: .max, into: { [String: Int64]() }) { last, tally in
            if let previous = last[tally.accountID], previous > tally.observedAt { last["out of order"] = 1 }
            last[tally.accountID] = tally.observedAt
        }
        #expect(ordered["out of order"] == nil)
        #expect(ordered.count == 12)
    }

    /// A period's last counts are, for each account with a successful fetch in it, what its counts
    /// were at the last such fetch: when that was the period's last run, when the account failed
    /// there, when the last run was cut short before reaching it, and after a prune that keeps only
    /// each account's latest success, in runs of different ages.
    @Test(arguments: Backend.available)
    func aPeriodsLastCountsAreItsLastSuccessfulFetches(_ backend: Backend) async throws {
        let opened = try await backend.open()
        try await Self.writeHistory(into: opened.store)
        let start: Int64 = 1_800_000_000
        // A run cut short after three accounts, one of them failing.
        let cut = start + 16 * 21_600
        let run = try await opened.store.beginRun(RunStart(asOf: cut, startedAt: cut, toolVersion: "test", configDigest: "d", holder: "cut"))
        for index in 0..<3 {
            let account = Account(id: "acc-\(String(format: "%03d", index))", name: "Account \(index)", manager: "M\(index % 3)")
            _ = try await opened.store.record(index == 1
                ? AccountFetchResult(account: account, outcome: .timeout, requests: 1, error: "timeout")
                : AccountFetchResult(account: account, outcome: .ok, httpStatus: 200, requests: 1, observations: [
                    BatchObservation(batchID: "cut-\(index)", status: .pending, progress: 0)]),
                run: run)
        }
        try await opened.store.finishRun(run, state: .aborted, totals: RunTotals(), finishedAt: cut + 60)

        func expectTheLastFetches(_ bounds: [Int64], _ when: String) async throws -> [AccountStatusCounts] {
            var expected: [AccountStatusCounts] = []
            for (from, to) in zip(bounds, bounds.dropFirst()) {
                var last: [String: Int64] = [:]
                for fetch in try await opened.store.fetches(from: from, to: to) where fetch.outcome == .ok {
                    last[fetch.accountID] = max(last[fetch.accountID] ?? .min, fetch.observedAt)
                }
                for (account, time) in last {
                    expected.append(contentsOf: try await opened.store.statusCounts(atOrBefore: time).filter { $0.accountID == account })
                }
            }
            expected.sort { ($0.observedAt, $0.accountID) < ($1.observedAt, $1.accountID) }
            let found = try await opened.store.lastStatusCounts(inPeriods: bounds)
            #expect(found == expected, "\(when), periods \(bounds)")
            return found
        }
        let day: Int64 = 86_400
        // Whole days of four runs, the last with its cut run; days of one run; a wide period.
        let days = try await expectTheLastFetches([start, start + day, start + 2 * day, start + 3 * day, start + 4 * day + 3600], "as written")
        #expect(days.count == 12 * 4, "every account, every day")
        #expect(Set(days.map(\.observedAt)).count > 4, "some from before a period's last run")
        #expect(days.contains { $0.observedAt == cut }, "the cut run's successes")
        #expect(try await expectTheLastFetches([start + 5 * 3600, start + 7 * 3600, start + 13 * 3600, start + 90 * 3600], "as written").count > 24)
        #expect(try await expectTheLastFetches([start + 7 * 3600, start + 7 * 3600 + 1], "as written").isEmpty, "a period without a run")
        #expect(try await opened.store.lastStatusCounts(inPeriods: [start]).isEmpty)

        _ = try await opened.store.prune(before: cut, dryRun: false)
        #expect(try await opened.store.consistencyProblems() == [])
        let kept = try await expectTheLastFetches([0, start + day, .max], "after a prune")
        #expect(kept.count == 12, "each account's latest success")
        #expect(Set(kept.map(\.observedAt)).count > 1, "from runs of different ages")
    }

    @Test(arguments: Backend.server)
    func theSameWritesGiveTheSameAnswersAsSQLite(_ backend: Backend) async throws {
        let sqlite = try await Backend.sqlite.open()
        let other = try await backend.open()
        try await Self.writeHistory(into: sqlite.store)
        try await Self.writeHistory(into: other.store)
        let expected = try await Self.reads(sqlite.store)
        // The history is not trivial: every kind of event and some failed fetches are in it.
        #expect(Set(expected.events.map(\.kind)) == Set(BatchEventKind.allCases))
        #expect(expected.fetches.contains { $0.outcome != .ok })
        #expect(expected.problems.isEmpty)
        let actual = try await Self.reads(other.store)
        #expect(actual.accounts == expected.accounts)
        #expect(actual.runs == expected.runs)
        #expect(actual.counts == expected.counts)
        #expect(actual.events == expected.events)
        #expect(actual.fetches == expected.fetches)
        #expect(actual.states == expected.states)
        #expect(actual.ledger == expected.ledger)
        #expect(actual.steps == expected.steps)
        #expect(actual.tallies == expected.tallies)
        #expect(actual.marks == expected.marks)
        #expect(actual.countHistory == expected.countHistory)
        #expect(actual.durations == expected.durations)
        #expect(actual.unhealthy == expected.unhealthy)
        #expect(actual.lastRun == expected.lastRun)
        #expect(actual.problems == expected.problems)
        for table in ["runs", "account_fetches", "batches", "batch_events", "run_status_counts", "accounts"] {
            #expect(try await other.count(table) == sqlite.count(table), "\(table)")
        }

        // Pruning removes the same rows and leaves the same answers.
        let cutoff: Int64 = 1_800_000_000 + 48 * 3600
        let sqlitePlan = try await sqlite.store.prune(before: cutoff, dryRun: true)
        #expect(try await other.store.prune(before: cutoff, dryRun: true) == sqlitePlan)
        #expect(sqlitePlan.events > 0 && sqlitePlan.fetches > 0)
        #expect(try await other.store.prune(before: cutoff, dryRun: false) == sqlite.store.prune(before: cutoff, dryRun: false))
        let afterSQLite = try await Self.reads(sqlite.store)
        let afterOther = try await Self.reads(other.store)
        #expect(afterOther == afterSQLite)
        #expect(afterOther.problems.isEmpty)
    }

    /// The run lock: one holder at a time, named to the next; a prune is waited for; gone with its holder.
    @Test(arguments: Backend.server)
    func theRunLockKeepsRunsApart(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        var lease: (any RunLease)? = try await store.acquireRunLock(holder: "host-a:1", waitSeconds: 0, waitFor: { _ in false })
        let refused = await #expect(throws: HistoryStoreError.self) {
            _ = try await store.acquireRunLock(holder: "host-b:2", waitSeconds: 0, waitFor: { _ in false })
        }
        #expect(refused?.isLeaseHeld == true)
        #expect(refused?.holder == "host-a:1")
        // A holder the taker may wait for is waited for, and the lock is taken once it is let go.
        let acquired = Flag()
        let waiter = Task {
            let lease = try await store.acquireRunLock(holder: "host-b:2", waitSeconds: 30, waitFor: { $0 == "host-a:1" })
            acquired.set()
            return lease
        }
        try await Task.sleep(for: .seconds(1))
        #expect(!acquired.isSet, "the lock was taken while its holder still held it")
        lease = nil
        let second = try await waiter.value
        #expect(acquired.isSet)
        // And its holder is the one named now.
        let named = await #expect(throws: HistoryStoreError.self) {
            _ = try await store.acquireRunLock(holder: "host-c:3", waitSeconds: 0, waitFor: { _ in false })
        }
        #expect(named?.holder == "host-b:2")
        withExtendedLifetime((second, lease)) {}
    }

    /// Collectors sharing a run: they join it, claim disjoint accounts, take over a lapsed claim,
    /// and the first holder of a lapsed claim stores nothing; the last account done closes the run.
    @Test(arguments: Backend.server)
    func sharedRunClaimsAreDisjointAndALapsedOneIsTakenOver(_ backend: Backend) async throws {
        let history = try await backend.open()
        let database = try #require(history.store as? any SharedRunDatabase)
        func start(_ asOf: Int64, _ holder: String, startedAt: Int64 = 1000) -> RunStart {
            RunStart(asOf: asOf, startedAt: startedAt, toolVersion: "t", configDigest: "d", holder: holder)
        }
        let all = ["a", "b", "c", "d"]
        let run = try await database.joinRun(start(1000, "h1"), accounts: ["a", "b", "c"])
        #expect(try await database.joinRun(start(1000, "h2", startedAt: 1003), accounts: all) == run)
        #expect(try await database.sharedProgress(run: run).total == 4)
        // A live run of another night is not joined.
        let other = await #expect(throws: HistoryStoreError.self) { _ = try await database.joinRun(start(2000, "h3", startedAt: 1005), accounts: all) }
        #expect(other?.isLeaseHeld == true)

        #expect(try await database.claimAccounts(run: run, among: all, holder: "h1", limit: 2, leaseSeconds: 1) == ["a", "b"])
        #expect(try await database.claimAccounts(run: run, among: all, holder: "h2", limit: 10, leaseSeconds: 60) == ["c", "d"])
        #expect(try await database.claimAccounts(run: run, among: all, holder: "h3", limit: 10, leaseSeconds: 60) == [])
        // h1 stops renewing: its lease runs out and h2 takes its accounts over.
        try await Task.sleep(for: .milliseconds(2200))
        #expect(try await database.sharedProgress(run: run).lapsed == 2)
        #expect(try await database.claimAccounts(run: run, among: all, holder: "h2", limit: 10, leaseSeconds: 60) == ["a", "b"])
        func result(_ id: String) -> AccountFetchResult {
            AccountFetchResult(
                account: Account(id: id, name: id, manager: ""), outcome: .ok, httpStatus: 200, requests: 5,
                observations: [BatchObservation(batchID: "\(id)-1", status: .inProgress, progress: 10)])
        }
        #expect(try await database.record(result("a"), run: run, claimedBy: "h1") == nil)
        #expect(try await history.count("account_fetches") == 0)
        for id in all {
            #expect(try await database.record(result(id), run: run, claimedBy: "h2") != nil, "\(id)")
        }
        #expect(try await database.record(result("a"), run: run, claimedBy: "h2") == nil, "an account is stored once")
        let progress = try await database.closeShare(run: run, finishedAt: 1500)
        #expect(progress.finished && progress.done == 4 && progress.collectors == ["h2": 4])
        let closed = try #require(try await database.runs(from: 0, to: .max).first)
        #expect(closed.state == "finished" && closed.accountsTotal == 4 && closed.accountsOK == 4 && closed.finishedAt == 1500)
        #expect(try await database.consistencyProblems() == [])
    }

    /// A collector arriving after the run of its minute finished joins it and collects nothing
    /// again (each account once a run); one with accounts the run lacked collects those alone and
    /// the run closes again with them counted; a collection started long after the minute it names
    /// (an explicit as_of: a re-run of the night) collects every account again.
    @Test(arguments: Backend.server)
    func aLateCollectorJoinsTheFinishedRunOfItsMinute(_ backend: Backend) async throws {
        let history = try await backend.open()
        let database = try #require(history.store as? any SharedRunDatabase)
        func start(_ holder: String, startedAt: Int64) -> RunStart {
            RunStart(asOf: 60_000, startedAt: startedAt, toolVersion: "t", configDigest: "d", holder: holder)
        }
        func result(_ id: String) -> AccountFetchResult {
            AccountFetchResult(
                account: Account(id: id, name: id, manager: ""), outcome: .ok, httpStatus: 200, requests: 1,
                observations: [BatchObservation(batchID: "\(id)-1", status: .pending, progress: 0)])
        }
        func collect(_ holder: String, _ accounts: [String], startedAt: Int64) async throws -> (run: RunID, collected: [String]) {
            let run = try await database.joinRun(start(holder, startedAt: startedAt), accounts: accounts)
            let claimed = try await database.claimAccounts(run: run, among: accounts, holder: holder, limit: 10, leaseSeconds: 60)
            for id in claimed { #expect(try await database.record(result(id), run: run, claimedBy: holder) != nil) }
            _ = try await database.closeShare(run: run, finishedAt: startedAt + 5)
            return (run, claimed)
        }
        let first = try await collect("h1", ["a", "b"], startedAt: 60_001)
        #expect(first.collected == ["a", "b"])
        let late = try await collect("h2", ["a", "b"], startedAt: 60_030)
        #expect(late.run == first.run && late.collected == [], "nothing collected twice")
        let longer = try await collect("h3", ["a", "b", "c"], startedAt: 60_040)
        #expect(longer.run == first.run && longer.collected == ["c"])
        let closed = try #require(try await database.runs(from: 0, to: .max).first)
        #expect(closed.state == "finished" && closed.accountsTotal == 3 && closed.finishedAt == 60_045)
        #expect(try await history.count("account_fetches") == 3)

        let rerun = try await collect("h4", ["a", "b", "c"], startedAt: 90_000)
        #expect(rerun.run == first.run && rerun.collected == ["a", "b", "c"], "a re-run of the night")
        #expect(try await database.runs(from: 0, to: .max).count == 1)
        #expect(try await database.consistencyProblems() == [])
    }

    @Test(arguments: Backend.server)
    func aNewDatabaseGetsTheSameMigrationsOnceEvenFromSeveralHostsAtOnce(_ backend: Backend) async throws {
        let address = try await Backend.freshDatabase()
        async let first = PostgresHistoryStore.open(address, password: Backend.password)
        async let second = PostgresHistoryStore.open(address, password: Backend.password)
        let stores = try await [first, second]
        let sqlite = try SQLiteHistoryStore.inMemory()
        // SQLite's migrations by their names; PostgreSQL's own, in the order they were added.
        let shared = try await sqlite.appliedMigrations()
        let expected = Array(shared.prefix(5)) + ["pg1-run-lock-holder", "pg2-shared-runs", "pg3-report-indexes"] + shared.dropFirst(5)
        #expect(shared.count == 6)
        #expect(try await stores[0].appliedMigrations() == expected)
        #expect(try await stores[1].appliedMigrations() == expected)
    }

    /// The password comes from the environment; a wrong one is refused without being repeated.
    @Test(arguments: Backend.server)
    func aWrongPasswordIsRefusedWithoutBeingRepeated(_ backend: Backend) async throws {
        let address = try PostgresAddress(parsing: try #require(Backend.serverURL))
        let wrong = "wrong-\(UUID().uuidString)"
        let error = await #expect(throws: HistoryStoreError.self) {
            _ = try await PostgresHistoryStore.open(address, password: wrong)
        }
        let text = "\(String(describing: error))"
        #expect(!text.contains(wrong))
        #expect(text.contains(address.display), "\(text)")
    }

    /// `?host=/folder` reaches the server through its Unix socket.
    @Test(arguments: Backend.socketServer)
    func aUnixSocketAddressReachesTheServer(_ url: String) async throws {
        let store = try await PostgresHistoryStore.open(try PostgresAddress(parsing: url), password: Backend.password)
        #expect(try await store.appliedMigrations().first == "v1-history")
    }
}

/// Set once, read from anywhere.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
