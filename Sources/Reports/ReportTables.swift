import BatchMetrics
import FPModel

/// The report's tables, built once from the metrics so every format shows the same numbers.
public enum ReportTables {
    /// One row per account: counts at the end of the window, what finished in it, the rates.
    public static func accounts(_ night: NightMetrics) -> Table {
        var table = Table(name: "accounts", columns: [
            "date", "account_id", "account_name", "manager",
            "pending", "in_progress", "completed", "failed", "stopped", "counts_observed_at",
            "completed_in_window", "failed_in_window", "stopped_in_window", "failure_rate", "stop_rate",
            "collection",
        ])
        for account in night.accounts {
            let counts: [Cell] = BatchStatus.allCases.map { status in
                account.countsAtEnd.map { .integer($0[status] ?? 0) } ?? .empty
            }
            table.rows.append(
                [.text(night.window.date), .text(account.accountID), .text(account.name), .text(account.manager)]
                    + counts
                    + [account.countsObservedAt.map(Cell.timestamp) ?? .empty,
                       .integer(account.completed), .integer(account.failed), .integer(account.stopped),
                       account.failureRate.map(Cell.fraction) ?? .empty, account.stopRate.map(Cell.fraction) ?? .empty,
                       .text(collectionState(account))])
        }
        return table
    }

    /// One row per status, fleet-wide.
    public static func statuses(_ night: NightMetrics) -> Table {
        Table(
            name: "statuses", columns: ["date", "status", "batches_at_end", "entered_in_window"],
            rows: night.statuses.map {
                [.text(night.window.date), .text($0.status.rawValue), .integer($0.atEnd), .integer($0.entered)]
            })
    }

    /// `ok`, `failed`, `partial` (some fetches failed) or `not_collected` for the window.
    static func collectionState(_ account: AccountNight) -> String {
        let ok = account.fetchOutcomes[.ok] ?? 0
        let all = account.fetchOutcomes.values.reduce(0, +)
        if all == 0 { return "not_collected" }
        if ok == all { return "ok" }
        return ok == 0 ? "failed" : "partial"
    }
}
