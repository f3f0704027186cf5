import FPModel
import HistoryStore

/// What one collection run did, for the summary line, `--json` and the exit code.
public struct CollectionReport: Sendable {
    public var runID: RunID
    public var asOf: UnixSeconds
    public var totals: RunTotals
    public var outcomes: [FetchOutcome: Int]
    /// Accounts that did not end `ok`, with the reason, sorted by account id.
    public var failures: [(accountID: String, outcome: FetchOutcome, detail: String)]
    public var latencyP50Millis: Int?
    public var latencyP95Millis: Int?
    public var seconds: Double
    /// True when the run stopped before every account was attempted (store failure).
    public var aborted: Bool
    /// How often the circuit breaker opened.
    public var breakerOpenings: Int
    /// Accounts whose latest collections all failed (two runs or more), from the history.
    public var unhealthyAccounts: [String] = []
    /// In a run shared by several collectors: how the whole run stood when this process ended
    /// (the figures above are this process's part).
    public var sharedRun: SharedRunProgress?
    /// Accounts this process collected after its claim on them had run out (another collector stored them).
    public var lostClaims = 0
    /// Of a shared run's accounts left to do, those this process's list does not name (only the
    /// collectors that have them can finish the run).
    public var leftOutsideList = 0

    public init(
        runID: RunID, asOf: UnixSeconds, totals: RunTotals, outcomes: [FetchOutcome: Int],
        failures: [(accountID: String, outcome: FetchOutcome, detail: String)], latencyP50Millis: Int?,
        latencyP95Millis: Int?, seconds: Double, aborted: Bool, breakerOpenings: Int = 0
    ) {
        self.runID = runID
        self.asOf = asOf
        self.totals = totals
        self.outcomes = outcomes
        self.failures = failures
        self.latencyP50Millis = latencyP50Millis
        self.latencyP95Millis = latencyP95Millis
        self.seconds = seconds
        self.aborted = aborted
        self.breakerOpenings = breakerOpenings
    }

    /// `200 accounts: 198 ok, 1 forbidden, 1 timeout; 1000 requests (2 retries, 0 × 429); 312 events; 4.1 s`
    public var summaryLine: String {
        let parts = FetchOutcome.allCases.compactMap { outcome in
            outcomes[outcome].map { "\($0) \(outcome.rawValue)" }
        }
        let latency = latencyP50Millis.map { p50 in
            "; latency p50 \(p50) ms, p95 \(latencyP95Millis ?? p50) ms"
        } ?? ""
        return "run \(runID): \(totals.accountsTotal) accounts: \(parts.isEmpty ? "none" : parts.joined(separator: ", "))"
            + "; \(totals.requests) requests (\(totals.retries) retries, \(totals.rateLimited) × 429)"
            + "; \(totals.eventsWritten) events" + latency
            + (breakerOpenings > 0 ? "; circuit breaker opened \(breakerOpenings)×" : "")
            + "; \(String(format: "%.1f", seconds)) s" + (aborted ? "; ABORTED" : "") + sharedLine
    }

    /// `; shared run: 10000 of 10000 accounts done by 3 collectors, finished`
    private var sharedLine: String {
        guard let run = sharedRun else { return "" }
        let outside = leftOutsideList > 0 ? ", \(leftOutsideList) of them not in this collector's list" : ""
        let state = run.finished ? "finished" : "still running (\(run.remaining) to do\(outside))"
        let lost = lostClaims > 0 ? ", \(lostClaims) taken over after this collector's claim ran out" : ""
        return "; shared run: \(run.done) of \(run.total) accounts done by \(run.collectors.count) collector(s), \(state)\(lost)"
    }
}

import Foundation
