import BatchMetrics
import FPModel

/// The report's tables: every format renders these, so every format shows the same numbers.
public enum ReportTables {
    /// The six tables of the CSV set, in the order the workbook shows them.
    public static func all(_ data: ReportData) -> [Table] {
        builders.map { $0(data) }
    }

    /// The same six, built one at a time by the writers so only one large table is in memory.
    public static let builders: [@Sendable (ReportData) -> Table] = [summary, accounts, statuses, daily, batches, collection]

    /// Headline figures as `metric, value, unit, definition` rows.
    public static func summary(_ data: ReportData) -> Table {
        let night = data.night
        var rows: [[Cell]] = []
        func add(_ metric: String, _ value: Cell, _ unit: String, _ definition: String) {
            rows.append([.text(metric), value, .text(unit), .text(definition)])
        }
        let hours = { (seconds: Int64?) -> Cell in seconds.map { .decimal(Double($0) / 3600) } ?? .empty }
        add("report_date", .text(night.window.date), "date", "The calendar day reported, in the report time zone.")
        add("window_start", .timestamp(night.window.start), "time", "Start of the window (local midnight).")
        add("window_end", .timestamp(night.window.end), "time", "End of the window (next local midnight; 23 or 25 hours on daylight-saving days).")
        add("time_zone", .text(night.window.timeZone.reportName), "IANA name", "Time zone of every time in this report.")
        add("data_as_of", night.dataAsOf.map(Cell.timestamp) ?? .empty, "time", "Finish time of the last collection run included.")
        add("last_run_id", night.lastRunID.map { .integer(Int($0)) } ?? .empty, "id", "The last collection run included.")
        add("runs_in_window", .integer(night.runs.count), "runs", "Collection runs whose observation time lies in the window; 0 means a gap, not zeros.")
        add("accounts", .integer(night.accounts.count), "accounts", "Accounts in the history.")
        add("accounts_collected_ok", .integer(night.collection.accountsOK), "accounts", "Accounts with at least one successful fetch in the window.")
        add("accounts_failed_to_collect", .integer(night.collection.failedAccounts.count), "accounts", "Accounts whose last collection in the window failed; their end-of-window counts come from an earlier successful one.")
        for status in night.statuses {
            add("batches_\(status.status.rawValue)_at_end", .integer(status.atEnd), "batches", "Batches in status \(status.status.rawValue) at the end of the window (latest successful fetch per account).")
        }
        add("completed", .integer(night.fleetCompleted), "batches", "Batches that entered completed in the window.")
        add("failed", .integer(night.fleetFailed), "batches", "Batches that entered failed in the window.")
        add("stopped", .integer(night.fleetStopped), "batches", "Batches that entered stopped in the window.")
        add("failure_rate", night.fleetFailureRate.map(Cell.fraction) ?? .empty, "fraction", "\(Rates.failureRateFormula), over the window; empty when nothing finished.")
        add("stop_rate", night.fleetStopRate.map(Cell.fraction) ?? .empty, "fraction", "\(Rates.stopRateFormula), over the window; empty when nothing finished.")
        add("progress_points_per_hour", .decimal(night.fleetPointsPerHour), "points/hour", "Positive progress changes between observations, summed over batches, per hour of the window.")
        add("time_to_terminal_p50", hours(night.timeToTerminal.p50), "hours", "Median time from first sight to a terminal status, of batches that finished in the window.")
        add("time_to_terminal_p95", hours(night.timeToTerminal.p95), "hours", "95th percentile of the same.")
        add("polling_resolution", hours(night.pollingResolutionSeconds), "hours", "Median gap between runs: times above are known to within this.")
        add("stuck_in_progress", .integer(night.flaggedCount(.stuck)), "batches", "In progress with no progress change for \(data.thresholds.stuckAfterSeconds / 3600) h at the end of the window.")
        add("old_pending", .integer(night.flaggedCount(.oldPending)), "batches", "Pending for \(data.thresholds.pendingAfterSeconds / 3600) h or more at the end of the window.")
        for (label, point) in [("day_over_day", data.trends.dayBefore), ("week_over_week", data.trends.weekBefore)] {
            let comparable = night.hasData && (point?.hasData ?? false)
            add("completed_change_\(label)", comparable ? .integer(night.fleetCompleted - (point?.completed ?? 0)) : .empty, "batches",
                "Completed in the window minus completed on the \(label == "day_over_day" ? "day before" : "same weekday a week before"); empty when either day has no data.")
            let rateChange: Cell = comparable
                ? (night.fleetFailureRate.flatMap { now in point?.failureRate.map { Cell.fraction(now - $0) } } ?? .empty) : .empty
            add("failure_rate_change_\(label)", rateChange, "fraction", "Failure rate minus that of the \(label == "day_over_day" ? "day before" : "same weekday a week before").")
        }
        return Table(name: "summary", columns: ["metric", "value", "unit", "definition"], rows: rows)
    }

    /// One row per account: counts at the end of the window, what finished in it, the rates.
    public static func accounts(_ data: ReportData) -> Table {
        let night = data.night
        let failures = Dictionary(night.collection.failedAccounts.map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a })
        var table = Table(name: "accounts", columns: [
            "date", "account_id", "account_name", "manager",
            "pending", "in_progress", "completed", "failed", "stopped", "counts_observed_at",
            "completed_in_window", "failed_in_window", "stopped_in_window", "failure_rate", "stop_rate",
            "progress_points_per_hour", "time_to_terminal_p50_hours", "time_to_terminal_p95_hours",
            "stuck_in_progress", "old_pending", "collection", "collection_error",
        ])
        for account in night.accounts {
            let counts: [Cell] = BatchStatus.allCases.map { status in
                account.countsAtEnd.map { .integer($0[status]) } ?? .empty
            }
            let failure = failures[account.accountID]
            // In-window figures of an account with no successful fetch in the window are a gap
            // (SPEC section 4, "Gaps"): empty, never 0. End-of-window counts and flags come from
            // its last successful fetch, whenever that was.
            let inWindow: [Cell] = !account.hasData ? Array(repeating: .empty, count: 8) : [
                .integer(account.completed), .integer(account.failed), .integer(account.stopped),
                account.failureRate.map(Cell.fraction) ?? .empty, account.stopRate.map(Cell.fraction) ?? .empty,
                .decimal(account.pointsPerHour),
                account.timeToTerminal.p50.map { .decimal(Double($0) / 3600) } ?? .empty,
                account.timeToTerminal.p95.map { .decimal(Double($0) / 3600) } ?? .empty,
            ]
            table.rows.append(
                [.date(night.window.date), .text(account.accountID), .text(account.name), .text(account.manager)]
                    + counts
                    + [account.countsObservedAt.map(Cell.timestamp) ?? .empty] + inWindow
                    + [.integer(account.stuck), .integer(account.oldPending),
                       .text(collectionState(account)),
                       failure.map { .text("\($0.outcome.rawValue)\($0.httpStatus.map { " (HTTP \($0))" } ?? ""): \($0.error)") } ?? .empty])
        }
        return table
    }

    /// One row per status, fleet-wide.
    public static func statuses(_ data: ReportData) -> Table {
        Table(
            name: "statuses", columns: ["date", "status", "batches_at_end", "entered_in_window"],
            rows: data.night.statuses.map {
                [.date(data.night.window.date), .text($0.status.rawValue), .integer($0.atEnd), .integer($0.entered)]
            })
    }

    /// Up to this many rows, `daily` holds each account's whole series (30 days); above it, the
    /// last ``shortAccountDays`` days. 10,000 accounts × 30 days is 300,000 rows repeated every
    /// night (18 MB, 29 of its 30 days already published the nights before); each account's 30
    /// days are on its page, with their CSV, and in the archive of earlier nights.
    public static let maxFullDailyRows = 10_000
    public static let shortAccountDays = 7

    /// How many of the series' last days `daily` gives each account of `data`.
    public static func accountDays(_ data: ReportData, maxFullRows: Int = maxFullDailyRows) -> Int {
        let days = data.trends.fleet.count
        return data.trends.accounts.count * days <= maxFullRows ? days : min(days, shortAccountDays)
    }

    /// The last 30 days of the fleet, then each account's last ``accountDays(_:)`` days; a day with
    /// no run has empty figures. Rows are made as they are written.
    public static func daily(_ data: ReportData) -> Table { daily(data, accountDays: accountDays(data)) }

    /// The same with each account's last `accountDays` days (none: the fleet's alone).
    static func daily(_ data: ReportData, accountDays: Int) -> Table {
        let fleet = data.trends.fleet
        let series = data.trends.accounts
        // Each account with a series has one row per day shown; points are made as rows are written.
        let accounts = accountDays == 0 ? [] : data.night.accounts.compactMap { account in
            series.row(of: account.accountID).map { (id: account.accountID, row: $0) }
        }
        let days = fleet.count
        let shown = min(accountDays, days)
        return Table(name: "daily", columns: [
            "date", "scope", "account_id", "has_data", "completed", "failed", "stopped", "entered_pending",
            "failure_rate", "stop_rate", "pending_at_end", "in_progress_at_end", "completed_at_end", "failed_at_end",
            "stopped_at_end", "progress_points_per_hour",
        ], count: days + shown * accounts.count) { index in
            if index < days { return dailyRow(fleet[index], scope: "fleet", account: "") }
            let (position, day) = (index - days).quotientAndRemainder(dividingBy: shown)
            let account = accounts[position]
            return dailyRow(series.point(row: account.row, day: days - shown + day), scope: "account", account: account.id)
        }
    }

    static func dailyRow(_ point: DailyPoint, scope: String, account: String) -> [Cell] {
        let lead: [Cell] = [.date(point.date), .text(scope), account.isEmpty ? .empty : .text(account), .integer(point.hasData ? 1 : 0)]
        guard point.hasData else { return lead + Array(repeating: .empty, count: 12) }
        return lead + [
            .integer(point.completed), .integer(point.failed), .integer(point.stopped), .integer(point.enteredPending),
            point.failureRate.map(Cell.fraction) ?? .empty, point.stopRate.map(Cell.fraction) ?? .empty,
        ] + BatchStatus.allCases.map { .integer(point.atEnd[$0]) } + [.decimal(point.pointsPerHour)]
    }

    /// Every batch present at the end of the window, with its flag; rows made as they are written.
    public static func batches(_ data: ReportData) -> Table {
        // The flag is worked out again per row from the same rule, rather than looked up in a
        // table keyed by batch: a night can flag most of its 200,000 batches.
        let (batches, thresholds, time) = (data.night.batches, data.thresholds, data.night.flagTime)
        return Table(
            name: "batches",
            columns: ["account_id", "batch_id", "status", "progress", "first_seen_at", "last_change_at", "terminal_at", "flag"],
            count: batches.count
        ) { index in
            let batch = batches[index]
            return [.text(batch.accountID), .text(batch.batchID), .text(batch.status.rawValue), .integer(batch.progress),
                    .timestamp(batch.firstSeenAt), .timestamp(batch.lastChangeAt), batch.terminalAt.map(Cell.timestamp) ?? .empty,
                    thresholds.flag(batch, at: time).map { .text($0.reason.rawValue) } ?? .empty]
        }
    }

    /// Collection health as `dimension, key, fetches, share` rows, then the totals.
    public static func collection(_ data: ReportData) -> Table {
        let health = data.night.collection
        var rows: [[Cell]] = []
        for outcome in FetchOutcome.allCases {
            let count = health.fetchOutcomes[outcome] ?? 0
            rows.append([.text("outcome"), .text(outcome.rawValue), .integer(count), health.rate(of: outcome).map(Cell.fraction) ?? .empty])
        }
        for (status, count) in health.httpStatuses.sorted(by: { $0.key < $1.key }) {
            rows.append([.text("http_status"), .text(String(status)), .integer(count), Rates.ratio(count, health.fetches).map(Cell.fraction) ?? .empty])
        }
        let totals: [(String, Int?)] = [
            ("accounts_configured", health.accountsConfigured), ("accounts_attempted", health.accountsAttempted),
            ("accounts_ok_at_least_once", health.accountsOK), ("accounts_last_fetch_failed", health.failedAccounts.count), ("runs", health.runs),
            ("requests", health.requests), ("retries", health.retries), ("rate_limited_429", health.rateLimited),
            ("latency_p50_ms", health.latencyP50Millis), ("latency_p95_ms", health.latencyP95Millis),
            ("batches_seen_under_two_statuses", health.statusAnomalies), ("batches_disappeared", health.disappeared),
            ("batches_reappeared", health.reappeared),
        ]
        for (key, value) in totals {
            rows.append([.text("total"), .text(key), value.map(Cell.integer) ?? .empty, .empty])
        }
        return Table(name: "collection", columns: ["dimension", "key", "fetches", "share"], rows: rows)
    }

    /// Exactly the data behind the daily throughput chart.
    public static func throughputChart(_ data: ReportData, points: [DailyPoint]? = nil) -> Table {
        Table(name: "chart-daily-throughput", columns: ["date", "completed", "failed", "stopped"], rows: (points ?? data.trends.fleet).map {
            $0.hasData ? [.text($0.date), .integer($0.completed), .integer($0.failed), .integer($0.stopped)]
                : [.text($0.date), .empty, .empty, .empty]
        })
    }

    /// Exactly the data behind the status mix chart.
    public static func statusMixChart(_ data: ReportData, points: [DailyPoint]? = nil) -> Table {
        Table(name: "chart-status-mix", columns: ["date"] + BatchStatus.allCases.map(\.rawValue), rows: (points ?? data.trends.fleet).map { point in
            [.text(point.date)] + BatchStatus.allCases.map { point.hasData ? .integer(point.atEnd[$0]) : .empty }
        })
    }

    /// Exactly the data behind the worst-accounts chart.
    public static func worstAccountsChart(_ data: ReportData) -> Table {
        Table(name: "chart-worst-accounts", columns: ["account_id", "account_name", "finished", "failed", "failure_rate"], rows: data.worst.map {
            [.text($0.accountID), .text($0.name), .integer($0.finished), .integer($0.failed), $0.failureRate.map(Cell.fraction) ?? .empty]
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
