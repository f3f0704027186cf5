import BatchMetrics
import FPModel
import HistoryStore

/// The report's tables: every format renders these, so every format shows the same numbers.
public enum ReportTables {
    /// The six tables of the CSV set, in the order the workbook shows them.
    public static func all(_ data: ReportData) -> [Table] {
        builders.map { $0(data) }
    }

    /// The same six, built one at a time by the writers so only one large table is in memory.
    public static let builders: [@Sendable (ReportData) -> Table] = [summary, accounts, statuses, daily, batches, collection]

    static let summaryColumns = [
        Column("metric", .text, label: "Figure"), Column("value", .mixed), Column("unit", .text), Column("definition", .text),
    ]

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
        return Table(name: "summary", columns: summaryColumns, rows: rows)
    }

    /// One row per account: counts at the end of the window, what finished in it, the rates.
    public static func accounts(_ data: ReportData) -> Table { accounts(data, of: data.night.accounts) }

    /// The same for some of the accounts (a page of the accounts index).
    static func accounts(_ data: ReportData, of accounts: [AccountNight]) -> Table {
        let night = data.night
        let failures = Dictionary(night.collection.failedAccounts.map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a })
        let date = night.window.date
        // In-window figures of an account with no successful fetch in the window are a gap (SPEC
        // section 4, "Gaps"): empty, never 0. End-of-window counts and flags come from its last
        // successful fetch, whenever that was.
        let inWindow: [Field<AccountNight>] = [
            .integer("completed_in_window") { $0.completed },
            .integer("failed_in_window") { $0.failed },
            .integer("stopped_in_window") { $0.stopped },
            .percent("failure_rate") { $0.failureRate },
            .percent("stop_rate") { $0.stopRate },
            .decimal("progress_points_per_hour") { $0.pointsPerHour },
            .hours("time_to_terminal_p50_hours") { $0.timeToTerminal.p50 },
            .hours("time_to_terminal_p95_hours") { $0.timeToTerminal.p95 },
        ]
        let fields: [Field<AccountNight>] = [
            .date("date") { _ in date },
            .identifier("account_id") { $0.accountID },
            .text("account_name") { $0.name },
            .text("manager") { $0.manager },
        ] + BatchStatus.allCases.map { status in .integer(status.rawValue) { $0.countsAtEnd?[status] } } + [
            .timestamp("counts_observed_at") { $0.countsObservedAt },
        ] + inWindow.map { $0.only { $0.hasData } } + [
            .integer("stuck_in_progress") { $0.stuck },
            .integer("old_pending") { $0.oldPending },
            .text("collection") { collectionState($0) },
            .text("collection_error") { account in
                failures[account.accountID].map { "\($0.outcome.rawValue)\($0.httpStatus.map { " (HTTP \($0))" } ?? ""): \($0.error)" }
            },
        ]
        return Table(name: "accounts", fields: fields, items: accounts)
    }

    /// One row per status, for the scope.
    public static func statuses(_ data: ReportData) -> Table {
        let date = data.night.window.date
        return Table(name: "statuses", fields: [
            .date("date") { _ in date },
            .text("status") { $0.status.rawValue },
            .integer("batches_at_end") { $0.atEnd },
            .integer("entered_in_window") { $0.entered },
        ], items: data.night.statuses, stored: true)
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
        return Table(name: "daily", fields: dailyFields, count: days + shown * accounts.count) { index in
            if index < days { return (fleet[index], nil) }
            let (position, day) = (index - days).quotientAndRemainder(dividingBy: shown)
            let account = accounts[position]
            return (series.point(row: account.row, day: days - shown + day), account.id)
        }
    }

    /// A day of the scope (no account) or of one account.
    typealias DayRow = (point: DailyPoint, account: String?)

    /// The daily table's columns. A day without data has empty figures (SPEC section 4, Gaps);
    /// its counts at the end are those of the last successful fetch, as in accounts.csv, and
    /// empty only before the first.
    static let dailyFields: [Field<DayRow>] =
        dailyLead + dailyEntries.map { $0.only { $0.point.hasData } } + dailyAtEnd.map { $0.only { $0.point.countsKnown } }
        + [Field<DayRow>.decimal("progress_points_per_hour") { $0.point.pointsPerHour }.only { $0.point.hasData }]

    private static let dailyLead: [Field<DayRow>] = [
        .date("date") { $0.point.date },
        .text("scope") { $0.account == nil ? "fleet" : "account" },
        .identifier("account_id") { $0.account },
        .integer("has_data", label: "Has data (1 = collected)") { $0.point.hasData ? 1 : 0 },
    ]

    private static let dailyEntries: [Field<DayRow>] = [
        .integer("completed") { $0.point.completed },
        .integer("failed") { $0.point.failed },
        .integer("stopped") { $0.point.stopped },
        .integer("entered_pending") { $0.point.enteredPending },
        .percent("failure_rate") { $0.point.failureRate },
        .percent("stop_rate") { $0.point.stopRate },
    ]

    private static let dailyAtEnd: [Field<DayRow>] = BatchStatus.allCases.map { status in
        .integer("\(status.rawValue)_at_end") { $0.point.atEnd[status] }
    }

    /// The night's batches, with their flag; rows made as they are written.
    public static func batches(_ data: ReportData) -> Table { batches(data, of: data.night.batches) }

    /// The same for some of the batches (one account's).
    static func batches(_ data: ReportData, of batches: [BatchStateRecord]) -> Table {
        // The flag is worked out again per row from the same rule, rather than looked up in a
        // table keyed by batch: a night can flag most of its 200,000 batches.
        let (thresholds, time) = (data.thresholds, data.night.flagTime)
        return Table(name: "batches", fields: [
            .identifier("account_id") { $0.accountID },
            .identifier("batch_id") { $0.batchID },
            .text("status") { $0.status.rawValue },
            .integer("progress", label: "Progress (%)") { $0.progress },
            .timestamp("first_seen_at") { $0.firstSeenAt },
            .timestamp("last_change_at") { $0.lastChangeAt },
            .timestamp("terminal_at") { $0.terminalAt },
            .text("flag") { thresholds.flag($0, at: time)?.reason.rawValue },
        ], items: batches)
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
        return Table(name: "collection", columns: [
            Column("dimension", .text), Column("key", .text, label: "What"), Column("fetches", .integer), Column("share", .percent),
        ], rows: rows)
    }

    /// Exactly the data behind the daily throughput chart; the chart draws these columns.
    public static func throughputChart(_ data: ReportData, points: [DailyPoint]? = nil) -> Table {
        Table(name: "chart-daily-throughput", fields: [
            .text("date") { $0.date },
            .integer("completed") { $0.completed },
            .integer("failed") { $0.failed },
            .integer("stopped") { $0.stopped },
        ].enumerated().map { $0 == 0 ? $1 : $1.only { $0.hasData } }, items: points ?? data.trends.fleet, stored: true)
    }

    /// Exactly the data behind the status mix chart; the chart draws these columns.
    public static func statusMixChart(_ data: ReportData, points: [DailyPoint]? = nil) -> Table {
        Table(
            name: "chart-status-mix",
            fields: [.text("date") { $0.date }] + BatchStatus.allCases.map { status in
                Field<DailyPoint>.integer(status.rawValue) { $0.atEnd[status] }.only { $0.hasData }
            },
            items: points ?? data.trends.fleet, stored: true)
    }

    /// Exactly the data behind the worst-accounts chart.
    public static func worstAccountsChart(_ data: ReportData) -> Table {
        Table(name: "chart-worst-accounts", fields: [
            .identifier("account_id") { $0.accountID },
            .text("account_name") { $0.name },
            .integer("finished") { $0.finished },
            .integer("failed") { $0.failed },
            .percent("failure_rate") { $0.failureRate },
        ], items: data.worst, stored: true)
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
