import FPModel
import HistoryStore

/// Computes report figures from a ``HistoryReader``: queries in the store, arithmetic here.
public struct MetricsEngine: Sendable {
    /// When a batch counts as stuck or old, and how much volume a ranking needs.
    public struct Thresholds: Sendable, Hashable {
        public var stuckAfterSeconds: Int64
        public var pendingAfterSeconds: Int64
        public var minFinishedForRanking: Int

        public init(stuckAfterSeconds: Int64 = 86_400, pendingAfterSeconds: Int64 = 86_400, minFinishedForRanking: Int = 5) {
            self.stuckAfterSeconds = stuckAfterSeconds
            self.pendingAfterSeconds = pendingAfterSeconds
            self.minFinishedForRanking = minFinishedForRanking
        }
    }

    public let history: any HistoryReader
    public let thresholds: Thresholds
    /// Accounts to report besides those collected in the window (the configured ones); nil: every
    /// account the history knows. An account removed from the configuration drops out of the
    /// reports once a window has none of its fetches.
    public let configuredAccounts: Set<String>?

    public init(history: any HistoryReader, thresholds: Thresholds = Thresholds(), configuredAccounts: Set<String>? = nil) {
        self.history = history
        self.thresholds = thresholds
        self.configuredAccounts = configuredAccounts
    }

    /// Every figure of `window`, per account and for the fleet, including batch detail.
    ///
    /// What each account entered and gained comes from ``accountDays(_:known:countsAtEnd:)``, as
    /// each day of the trends does: one rule, one code path. The fleet's own figures come from its
    /// accounts' by the rule every scope's do (``NightMetrics/scoped(to:)``).
    public func night(_ window: ReportWindow) async throws -> NightMetrics {
        let known = try await history.accounts()
        // The reads are independent: all of them at once, the night costs its longest read (its
        // batches) rather than their sum.
        async let states = history.batchStates(at: window.end - 1, activeSince: window.start)
        async let terminalDurations = history.terminalDurations(from: window.start, to: window.end)
        async let counts = history.statusCounts(atOrBefore: window.end - 1)
        async let fetches = history.fetches(from: window.start, to: window.end)
        async let runs = history.runs(from: window.start, to: window.end)
        async let last = history.lastRun(before: window.end)
        let day = try await accountDays([window], known: known, countsAtEnd: false)
        let accounts = known.filter { day.contains($0.id) }
        var activity: [String: AccountSeries.DayActivity] = [:]
        var gains: [String: Int] = [:]
        for account in accounts {
            guard let row = day.row(of: account.id) else { continue }
            activity[account.id] = day.entered[row, 0]
            gains[account.id] = day.gains[row, 0]
        }
        let lastRun = try await last
        var night = Self.night(
            window: window, accounts: accounts, counts: try await counts, activity: activity, gains: gains,
            fetches: try await fetches, runs: try await runs, dataAsOf: lastRun.map { $0.finishedAt ?? $0.asOf })
        night.lastRunID = lastRun?.id

        night.terminalDurations = try await terminalDurations
        var durations: [String: [Int64]] = [:]
        for duration in night.terminalDurations { durations[duration.accountID, default: []].append(duration.seconds) }

        let baselines = Dictionary(known.map { ($0.id, $0.firstCollectedAt) }, uniquingKeysWith: { a, _ in a })
        night.batches = try await states.filter { Self.isInNight($0, baseline: baselines[$0.accountID] ?? nil) }
        // Every flagged batch is open, and every open batch is in the night's scope.
        night.flagged = night.batches.compactMap { thresholds.flag($0, at: night.flagTime) }
        var stuck: [String: Int] = [:]
        var old: [String: Int] = [:]
        for flag in night.flagged {
            switch flag.reason {
            case .stuck: stuck[flag.accountID, default: 0] += 1
            case .oldPending: old[flag.accountID, default: 0] += 1
            }
        }
        for index in night.accounts.indices {
            let id = night.accounts[index].accountID
            night.accounts[index].timeToTerminal = DurationSummary(durations[id] ?? [])
            night.accounts[index].stuck = stuck[id] ?? 0
            night.accounts[index].oldPending = old[id] ?? 0
        }
        // Polling resolution: the median gap between the runs of the last week.
        let recent = try await history.runs(from: window.start - 7 * 86_400, to: window.end)
        let gaps = zip(recent.dropFirst(), recent).map { $0.asOf - $1.asOf }.sorted()
        night.pollingResolutionSeconds = Quantile.nearestRank(gaps, 0.5)
        night.computeScopeFigures()
        return night
    }

    /// The pure part, from already-read history: `events` counted by the rule
    /// ``accountDays(_:known:countsAtEnd:)`` counts them with.
    public static func night(
        window: ReportWindow, accounts: [AccountRecord], counts: [AccountStatusCounts], events: [BatchEventRecord],
        fetches: [FetchRecord], runs: [RunRecord], dataAsOf: UnixSeconds?
    ) -> NightMetrics {
        let baseline = Dictionary(accounts.map { ($0.id, $0.firstCollectedAt) }, uniquingKeysWith: { a, _ in a })
        var activity: [String: AccountSeries.DayActivity] = [:]
        for event in events { activity[event.accountID, default: .init()].add(event, baseline: baseline[event.accountID] ?? nil) }
        var night = night(
            window: window, accounts: accounts, counts: counts, activity: activity, gains: [:], fetches: fetches, runs: runs,
            dataAsOf: dataAsOf)
        night.computeScopeFigures()
        return night
    }

    static func night(
        window: ReportWindow, accounts: [AccountRecord], counts: [AccountStatusCounts],
        activity: [String: AccountSeries.DayActivity], gains: [String: Int], fetches: [FetchRecord], runs: [RunRecord],
        dataAsOf: UnixSeconds?
    ) -> NightMetrics {
        let countsByAccount = Dictionary(counts.map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a })
        var outcomes: [String: [FetchOutcome: Int]] = [:]
        for fetch in fetches { outcomes[fetch.accountID, default: [:]][fetch.outcome, default: 0] += 1 }

        let nights = accounts.map { account in
            let day = activity[account.id] ?? .init()
            var night = AccountNight(
                accountID: account.id, name: account.name, manager: account.manager,
                countsAtEnd: countsByAccount[account.id].map(\.counts),
                countsObservedAt: countsByAccount[account.id]?.observedAt,
                entered: day.entries, fetchOutcomes: outcomes[account.id] ?? [:],
                windowHours: window.hours)
            night.disappeared = Int(day.disappeared)
            night.reappeared = Int(day.reappeared)
            night.progressGain = gains[account.id] ?? 0
            return night
        }
        // The scope's own figures are left to the caller, once every part is in.
        var night = NightMetrics(window: window, accounts: nights, statuses: [], runs: runs, dataAsOf: dataAsOf)
        night.fetches = fetches
        return night
    }

    /// Whether a batch belongs in the night's batch tables (SPEC section 5): open at the window's
    /// end, or entered a status or progressed in the window. The store hands over the open ones and
    /// those whose latest change lies in the window; of these, a finished batch that the account's
    /// first collection merely found (its baseline, not news) is left out, as
    /// ``AccountSeries/DayActivity/add(_:baseline:)`` leaves it out of the entries.
    static func isInNight(_ state: BatchStateRecord, baseline: UnixSeconds?) -> Bool {
        if !state.status.isTerminal { return true }
        let onlyFirstSight = state.lastChangeAt == state.firstSeenAt
        return !(onlyFirstSight && baseline.map { state.firstSeenAt <= $0 } ?? true)
    }

    /// Collection health of `fetches`: for the fleet, or for any set of accounts given theirs.
    public static func collectionHealth(_ fetches: [FetchRecord], accounts: [AccountNight], runs: Int) -> CollectionHealth {
        var health = CollectionHealth()
        health.accountsConfigured = accounts.count
        health.runs = runs
        health.disappeared = accounts.reduce(0) { $0 + $1.disappeared }
        health.reappeared = accounts.reduce(0) { $0 + $1.reappeared }
        var last: [String: FetchRecord] = [:]
        var okAccounts: Set<String> = []
        var latencies: [Int] = []
        for fetch in fetches {
            health.fetches += 1
            health.fetchOutcomes[fetch.outcome, default: 0] += 1
            if let status = fetch.httpStatus { health.httpStatuses[status, default: 0] += 1 }
            health.requests += fetch.requests
            health.retries += fetch.retries
            health.rateLimited += fetch.rateLimited
            health.statusAnomalies += fetch.anomalies
            if fetch.requests > 0 { latencies.append(fetch.latencyMillis) }
            if fetch.outcome == .ok { okAccounts.insert(fetch.accountID) }
            // Fetches come in observation order: the last one per account wins.
            last[fetch.accountID] = fetch
        }
        latencies.sort()
        health.latencyP50Millis = Quantile.nearestRank(latencies, 0.5)
        health.latencyP95Millis = Quantile.nearestRank(latencies, 0.95)
        health.accountsAttempted = last.count
        health.accountsOK = okAccounts.count
        health.failedAccounts = last.values.filter { $0.outcome != .ok }
            .map { FailedFetch(accountID: $0.accountID, outcome: $0.outcome, httpStatus: $0.httpStatus, error: $0.error ?? "") }
            .sorted { $0.accountID < $1.accountID }
        return health
    }

    /// Accounts with failures ranked by failure rate, worst first, among those that finished at least
    /// the minimum (so one failed batch out of one does not top the list).
    public static func worstAccounts(_ night: NightMetrics, minimumFinished: Int, limit: Int = 10) -> [AccountNight] {
        night.accounts
            .filter { $0.finished >= minimumFinished && $0.failed > 0 }
            .sorted { ($0.failureRate ?? 0, $0.failed, $1.accountID) > ($1.failureRate ?? 0, $1.failed, $0.accountID) }
            .prefix(limit).map { $0 }
    }
}

extension MetricsEngine.Thresholds {
    /// Whether `state` is flagged at `time`: in progress with no change for the stuck threshold, or
    /// pending for the pending threshold. The one definition of both flags, for metrics and reports.
    public func flag(_ state: BatchStateRecord, at time: UnixSeconds) -> FlaggedBatch? {
        switch state.status {
        case .inProgress where time - state.lastChangeAt >= stuckAfterSeconds:
            FlaggedBatch(
                accountID: state.accountID, batchID: state.batchID, progress: state.progress, since: state.lastChangeAt,
                reason: .stuck, status: state.status)
        case .pending where time - state.firstSeenAt >= pendingAfterSeconds:
            FlaggedBatch(
                accountID: state.accountID, batchID: state.batchID, progress: state.progress, since: state.firstSeenAt,
                reason: .oldPending, status: state.status)
        default:
            nil
        }
    }
}
