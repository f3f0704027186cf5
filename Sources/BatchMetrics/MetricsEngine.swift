import FPModel
import HistoryStore

/// Computes report figures from a ``HistoryReader``: queries in the store, arithmetic here.
public struct MetricsEngine: Sendable {
    public let history: any HistoryReader

    public init(history: any HistoryReader) { self.history = history }

    /// The figures of `window`, per account and per status.
    public func night(_ window: ReportWindow) async throws -> NightMetrics {
        let accounts = try await history.accounts()
        let counts = try await history.statusCounts(atOrBefore: window.end - 1)
        let events = try await history.events(from: window.start, to: window.end)
        let fetches = try await history.fetches(from: window.start, to: window.end)
        let runs = try await history.runs(from: window.start, to: window.end)
        let dataAsOf = try await history.runs(from: .min, to: window.end).last.map { $0.finishedAt ?? $0.asOf }
        return Self.night(
            window: window, accounts: accounts, counts: counts, events: events, fetches: fetches, runs: runs,
            dataAsOf: dataAsOf)
    }

    /// The pure part: figures from already-read history.
    public static func night(
        window: ReportWindow, accounts: [AccountRecord], counts: [AccountStatusCounts], events: [BatchEventRecord],
        fetches: [FetchRecord], runs: [RunRecord], dataAsOf: UnixSeconds?
    ) -> NightMetrics {
        let countsByAccount = Dictionary(counts.map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a })
        let baseline = Dictionary(accounts.map { ($0.id, $0.firstCollectedAt) }, uniquingKeysWith: { a, _ in a })
        var entered: [String: [BatchStatus: Int]] = [:]
        for event in events where Self.isEntry(event, baseline: baseline[event.accountID] ?? nil) {
            entered[event.accountID, default: [:]][event.status, default: 0] += 1
        }
        var outcomes: [String: [FetchOutcome: Int]] = [:]
        for fetch in fetches { outcomes[fetch.accountID, default: [:]][fetch.outcome, default: 0] += 1 }

        let nights = accounts.map { account in
            AccountNight(
                accountID: account.id, name: account.name, manager: account.manager,
                countsAtEnd: countsByAccount[account.id].map(\.counts),
                countsObservedAt: countsByAccount[account.id]?.observedAt,
                entered: entered[account.id] ?? [:], fetchOutcomes: outcomes[account.id] ?? [:])
        }
        let statuses = BatchStatus.allCases.map { status in
            StatusNight(
                status: status,
                atEnd: nights.reduce(0) { $0 + ($1.countsAtEnd?[status] ?? 0) },
                entered: nights.reduce(0) { $0 + ($1.entered[status] ?? 0) })
        }
        return NightMetrics(window: window, accounts: nights, statuses: statuses, runs: runs, dataAsOf: dataAsOf)
    }

    /// Whether an event is a batch entering its status.
    ///
    /// A status change is; so is a batch first seen after the account's first collection (it arrived,
    /// or arrived and moved, between two runs). What the first collection finds is the baseline, not
    /// news: counting it would report an account's whole past as one night's throughput.
    static func isEntry(_ event: BatchEventRecord, baseline: UnixSeconds?) -> Bool {
        switch event.kind {
        case .status: true
        case .firstSeen: baseline.map { event.observedAt > $0 } ?? false
        case .progress, .disappeared, .reappeared: false
        }
    }
}
