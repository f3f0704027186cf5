import BatchMetrics
import FPModel
import Foundation
import HistoryStore
import SQLiteHistory
import Reports
import Testing

/// One engine for any scope (SPEC section 4, Scopes), checked over random hand-built histories:
/// a scope's figures add up to the fleet's, a manager's report is the fleet report of a history
/// that holds only that manager's accounts, and each day of a series is that day's night.
@Suite struct ScopePropertyTests {
    static let seeds: [UInt64] = Array(1...10)

    @Test(arguments: seeds)
    func aManagersReportIsTheFleetReportOfTheirAccountsAlone(seed: UInt64) async throws {
        let world = RandomHistory(seed: seed)
        let everyone = try await world.store()
        var theirs: [SQLiteHistoryStore] = []
        for manager in world.managers { theirs.append(try await world.store(only: { $0.manager == manager })) }
        for date in world.reportDates {
            // Every manager at once, as a report writes them (one pass over the night for all).
            let scopes = ManagerScopes(try await world.report(everyone, date: date), managers: world.managers)
            for (position, manager) in world.managers.enumerated() {
                let scoped = scopes.report(position)
                let alone = try await world.report(theirs[position], date: date, scope: manager)
                let csv = CSVWriter(timeZone: world.zone)
                for (mine, expected) in zip(ReportTables.all(scoped), ReportTables.all(alone)) {
                    #expect(csv.render(mine) == csv.render(expected), "seed \(seed), \(manager), \(date), \(mine.name).csv")
                }
                #expect(scoped.night.batches == alone.night.batches, "seed \(seed), \(manager), \(date)")
                #expect(scoped.scope == manager)
            }
        }
    }

    @Test(arguments: seeds)
    func everyAdditiveFigureOfTheFleetIsTheSumOfItsAccounts(seed: UInt64) async throws {
        let world = RandomHistory(seed: seed)
        let store = try await world.store()
        for date in world.reportDates {
            let fleet = try await world.report(store, date: date)
            // Every partition adds up: one scope per account, and one per manager (those without
            // a manager together).
            let singles = fleet.night.accounts.map { Set([$0.accountID]) }
            let byManager = Dictionary(grouping: fleet.night.accounts, by: \.manager).values.map { Set($0.map(\.accountID)) }
            for partition in [singles, byManager] {
                let parts = partition.map { Additive(night: fleet.night.scoped(to: $0), trends: fleet.trends.scoped(to: $0)) }
                let sum = parts.dropFirst().reduce(parts[0], +)
                #expect(sum == Additive(night: fleet.night, trends: fleet.trends), "seed \(seed), \(date)")
            }
            // A single account's scope is that account's own row.
            for account in fleet.night.accounts {
                let one = fleet.night.scoped(to: [account.accountID])
                #expect(one.fleetCompleted == account.completed && one.fleetFailed == account.failed)
                #expect(one.fleetProgressGain == account.progressGain)
                #expect(one.timeToTerminal == account.timeToTerminal, "seed \(seed), \(account.accountID)")
            }
        }
    }

    @Test(arguments: seeds)
    func eachDayOfTheSeriesIsThatDaysNight(seed: UInt64) async throws {
        let world = RandomHistory(seed: seed)
        let store = try await world.store()
        let engine = MetricsEngine(history: store)
        let last = try #require(ReportWindow(date: world.reportDates.last!, timeZone: world.zone))
        let trends = try await engine.trends(endingWith: last, days: world.days)
        for (offset, point) in trends.fleet.enumerated() {
            let night = try await engine.night(last.shifted(byDays: offset - (world.days - 1)))
            #expect(point.date == night.window.date)
            #expect(point.hasData == night.hasData, "seed \(seed), \(point.date)")
            #expect(point.completed == night.fleetCompleted && point.failed == night.fleetFailed, "seed \(seed), \(point.date)")
            #expect(point.stopped == night.fleetStopped && point.progressGain == night.fleetProgressGain, "seed \(seed), \(point.date)")
            #expect(point.enteredPending == night.statuses.first { $0.status == .pending }?.entered, "seed \(seed), \(point.date)")
            for account in night.accounts {
                let mine = try #require(trends.accounts.point(account.accountID, day: offset))
                #expect(mine.completed == account.completed && mine.failed == account.failed && mine.stopped == account.stopped,
                        "seed \(seed), \(point.date), \(account.accountID)")
                #expect(mine.enteredPending == (account.entered[.pending] ?? 0), "seed \(seed), \(point.date), \(account.accountID)")
                #expect(mine.progressGain == account.progressGain, "seed \(seed), \(point.date), \(account.accountID)")
                #expect(mine.atEnd == (account.countsAtEnd ?? [:]), "seed \(seed), \(point.date), \(account.accountID)")
                #expect(mine.hasData == (night.hasData && account.hasData), "seed \(seed), \(point.date), \(account.accountID)")
            }
        }
        // The histories are not trivial: something finished, something failed, some day has no run.
        #expect(trends.fleet.contains { $0.completed > 0 } && trends.fleet.contains { $0.failed > 0 })
    }
}

/// The figures of a scope that add up over a partition of its accounts.
private struct Additive: Equatable {
    var entered: [Int]
    var atEnd: [Int]
    var progressGain: Int
    var fetches: Int
    var fetchOutcomes: [FetchOutcome: Int]
    var httpStatuses: [Int: Int]
    var requests: Int
    var retries: Int
    var accountsAttempted: Int
    var accountsOK: Int
    var failedAccounts: Int
    var disappeared: Int
    var reappeared: Int
    var terminalDurations: Int
    var batches: Int
    var flagged: Int
    /// Per day of the series: completed, failed, stopped, entered pending, progress, counts at end.
    var days: [[Int]]

    init(night: NightMetrics, trends: Trends) {
        entered = night.statuses.map(\.entered)
        atEnd = night.statuses.map(\.atEnd)
        progressGain = night.fleetProgressGain
        fetches = night.collection.fetches
        fetchOutcomes = night.collection.fetchOutcomes
        httpStatuses = night.collection.httpStatuses
        requests = night.collection.requests
        retries = night.collection.retries
        accountsAttempted = night.collection.accountsAttempted
        accountsOK = night.collection.accountsOK
        failedAccounts = night.collection.failedAccounts.count
        disappeared = night.collection.disappeared
        reappeared = night.collection.reappeared
        terminalDurations = night.timeToTerminal.count
        batches = night.batches.count
        flagged = night.flagged.count
        days = trends.fleet.map { point in
            [point.completed, point.failed, point.stopped, point.enteredPending, point.progressGain]
                + BatchStatus.allCases.map { point.atEnd[$0] }
        }
    }

    static func + (a: Additive, b: Additive) -> Additive {
        var sum = a
        sum.entered = zip(a.entered, b.entered).map(+)
        sum.atEnd = zip(a.atEnd, b.atEnd).map(+)
        sum.progressGain += b.progressGain
        sum.fetches += b.fetches
        sum.fetchOutcomes.merge(b.fetchOutcomes, uniquingKeysWith: +)
        sum.httpStatuses.merge(b.httpStatuses, uniquingKeysWith: +)
        sum.requests += b.requests
        sum.retries += b.retries
        sum.accountsAttempted += b.accountsAttempted
        sum.accountsOK += b.accountsOK
        sum.failedAccounts += b.failedAccounts
        sum.disappeared += b.disappeared
        sum.reappeared += b.reappeared
        sum.terminalDurations += b.terminalDurations
        sum.batches += b.batches
        sum.flagged += b.flagged
        sum.days = zip(a.days, b.days).map { zip($0, $1).map(+) }
        return sum
    }
}

/// A random history written through the real store: a handful of accounts under two managers
/// (and one without), joining on different runs, collected at irregular times over a week with a
/// day left out; batches arrive, progress, finish, fail, stop, go missing and come back; some
/// fetches fail. Each account's world and fetch outcomes come from its own random stream, so a
/// history of some of the accounts holds exactly their part of the whole one.
struct RandomHistory {
    let seed: UInt64
    let zone = TimeZone(identifier: "Europe/Berlin")!
    let accounts: [Account]
    /// The run each account is first collected in.
    let joins: [Int]
    /// Observation times, oldest first: every 3 to 16 hours, none on the fourth day.
    let runTimes: [Int64]
    let days = 7
    let managers = ["Ana Souza", "Ben Okafor"]

    /// 2026-11-09T00:00:00+01:00, a Monday.
    static let start: Int64 = 1_794_178_800

    init(seed: UInt64) {
        self.seed = seed
        var random = SplitMix64(seed: seed)
        let count = 4 + Int(random.next() % 4)
        // The first two belong to the two managers, so each has at least one; the last has none.
        let accounts = (0..<count).map { index in
            let manager = switch index {
            case 0: "Ana Souza"
            case 1: "Ben Okafor"
            case count - 1: ""
            default: random.next() % 2 == 0 ? "Ana Souza" : "Ben Okafor"
            }
            return Account(id: "acc-\(index)", name: "Account \(index)", manager: manager)
        }
        self.accounts = accounts
        joins = accounts.indices.map { $0 < 2 ? 0 : Int(random.next() % 6) }
        var times: [Int64] = []
        var time = Self.start + 3600 + Int64(random.next() % 7200)
        while time < Self.start + 7 * 86_400 {
            // Day 3 (the fourth) has no run: a gap in every series.
            if !(3 * 86_400..<4 * 86_400).contains(time - Self.start) { times.append(time) }
            time += 3 * 3600 + Int64(random.next() % (13 * 3600))
        }
        runTimes = times
    }

    /// The report days: the last one and one in the middle.
    var reportDates: [String] { ["2026-11-13", "2026-11-15"] }

    func report(_ store: SQLiteHistoryStore, date: String, scope: String = "All accounts") async throws -> ReportData {
        let window = ReportWindow(date: date, timeZone: zone)!
        let thresholds = MetricsEngine.Thresholds(stuckAfterSeconds: 12 * 3600, pendingAfterSeconds: 10 * 3600, minFinishedForRanking: 1)
        let engine = MetricsEngine(history: store, thresholds: thresholds)
        return ReportData(
            night: try await engine.night(window), trends: try await engine.trends(endingWith: window, days: days),
            thresholds: thresholds, scope: scope, toolVersion: "test")
    }

    /// The history of the accounts `included` picks, through the real store.
    func store(only included: (Account) -> Bool = { _ in true }) async throws -> SQLiteHistoryStore {
        let store = try SQLiteHistoryStore.inMemory()
        var worlds = accounts.indices.map { AccountWorld(random: SplitMix64(seed: seed &* 1_000 &+ UInt64($0)), account: $0) }
        for (step, asOf) in runTimes.enumerated() {
            let run = try await store.beginRun(RunStart(asOf: asOf, startedAt: asOf, toolVersion: "test", configDigest: "d", holder: "t"))
            for (index, account) in accounts.enumerated() where step >= joins[index] {
                // Every world moves on and draws its outcome whether or not this history keeps it.
                let result = worlds[index].next(account, first: step == joins[index])
                if included(account) { _ = try await store.record(result, run: run) }
            }
            var totals = RunTotals()
            totals.accountsTotal = accounts.count
            try await store.finishRun(run, state: .finished, totals: totals, finishedAt: asOf + 20)
        }
        return store
    }
}

/// One account's batches as the API would answer them, moving on at each run.
private struct AccountWorld {
    var random: SplitMix64
    let account: Int
    var batches: [(id: String, status: BatchStatus, progress: Int)] = []
    /// Batches left out of the next answer (they went missing for a run).
    var hidden: Set<String> = []
    var nextID = 0

    init(random: SplitMix64, account: Int) {
        self.random = random
        self.account = account
    }

    mutating func draw(_ n: UInt64) -> Int { Int(random.next() % n) }

    mutating func next(_ account: Account, first: Bool) -> AccountFetchResult {
        for index in batches.indices where !batches[index].status.isTerminal {
            switch draw(10) {
            case 0: batches[index].status = .failed
            case 1: batches[index].status = .stopped
            case 2, 3: (batches[index].status, batches[index].progress) = (.completed, 100)
            case 4, 5, 6:
                batches[index].status = .inProgress
                batches[index].progress = min(99, batches[index].progress + 1 + draw(40))
            default: break
            }
        }
        for _ in 0..<(first ? 3 + draw(4) : draw(4)) {
            nextID += 1
            let status: BatchStatus = first ? [.pending, .inProgress, .completed, .failed][draw(4)] : .pending
            batches.append((id: "\(self.account)\(1000 + nextID)", status: status, progress: status == .completed ? 100 : draw(50)))
        }
        hidden = draw(5) == 0 && !batches.isEmpty ? [batches[draw(UInt64(batches.count))].id] : []
        switch draw(8) {
        case 0:
            return AccountFetchResult(account: account, outcome: .timeout, attempts: 3, requests: 3, retries: 2, latencyMillis: 30_000, error: "timed out")
        case 1:
            return AccountFetchResult(account: account, outcome: .serverError, httpStatus: 503, requests: 2, retries: 1, latencyMillis: 80 + draw(50), error: "HTTP 503")
        default:
            let seen = batches.filter { !hidden.contains($0.id) }
                .map { BatchObservation(batchID: $0.id, status: $0.status, progress: $0.progress) }
            return AccountFetchResult(
                account: account, outcome: .ok, httpStatus: 200, requests: 5, retries: draw(3) == 0 ? 1 : 0,
                rateLimited: draw(6) == 0 ? 1 : 0, latencyMillis: 20 + draw(200), observations: seen)
        }
    }
}
