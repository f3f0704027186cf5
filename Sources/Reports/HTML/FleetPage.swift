import BatchMetrics
import FPModel
import Foundation

/// `index.html` and `managers/<slug>.html`: one scope's night, what needs attention first (failed
/// collections, worst accounts, stuck batches), trends, then its accounts: inline up to
/// ``pageSize``, otherwise in pages under `browse/`, and searchable by id, name and manager with
/// the shared script. At 10,000 accounts the page holds no account rows at all.
struct FleetPage {
    let data: ReportData
    /// The manager whose page this is; nil for the fleet's `index.html`.
    var manager: String? = nil

    /// Accounts per page of the accounts index; a scope with at most this many lists them inline.
    static let pageSize = 500
    /// Flagged batches the page lists, oldest first; the rest are in batches.csv.
    static let flaggedShown = 100

    /// The way back to the night folder.
    var root: String { manager == nil ? "" : "../" }
    /// The page's file, relative to the night folder.
    var path: String { manager.map { "managers/\(Slug.make($0)).html" } ?? "index.html" }
    var workbook: String { manager.map { "managers/\(Slug.make($0)).xlsx" } ?? "report.xlsx" }
    /// The accounts index pages' names begin with this.
    var browsePrefix: String { manager.map { "manager-\(Slug.make($0))" } ?? "all" }

    /// The accounts index pages, as (path relative to the night folder, accounts on it); none when
    /// the page lists its accounts itself.
    var browsePages: [(path: String, accounts: ArraySlice<AccountNight>)] {
        let accounts = data.night.accounts
        guard accounts.count > Self.pageSize else { return [] }
        return stride(from: 0, to: accounts.count, by: Self.pageSize).enumerated().map { number, first in
            ("browse/\(browsePrefix)-\(number + 1).html", accounts[first..<min(first + Self.pageSize, accounts.count)])
        }
    }

    /// The whole page as text (for tests; ``render(_:)`` hands it over in pieces).
    func render() -> String {
        var out = ""
        render { out += $0 }
        return out
    }

    /// Hands the page to `emit` in pieces, an inline accounts table a row at a time.
    func render(_ emit: (String) throws -> Void) rethrows {
        let night = data.night
        let zone = data.timeZone
        let trends = data.trends
        let heading = manager.map { "Accounts of \($0)" } ?? "FirstPromoter batch processes"
        let flagged = night.flagged.sorted { ($0.since, $0.accountID, $0.batchID) < ($1.since, $1.accountID, $1.batchID) }
        try emit(HTML.pageStart(title: "fpreport \(night.window.date) — \(data.scope)", root: root, scripts: [Assets.accountsIndex]))
        try emit("""
            \(manager == nil ? "" : "<nav><a href=\"../index.html\">← All accounts</a></nav>")
            \(PageParts.header(data, title: "\(heading) — \(night.window.date)", root: root, workbook: workbook))
            <main id="main">
            \(PageParts.warnings(data, accounts: night.collection.failedAccounts, root: root))
            <h2>Headline</h2>
            <ul class="cards">
            \(PageParts.card("Completed", HTML.number(night.fleetCompleted),
                change: PageParts.change(Double(night.fleetCompleted), dayBefore: trends.dayBefore.flatMap { $0.hasData && night.hasData ? Double($0.completed) : nil },
                                         weekBefore: trends.weekBefore.flatMap { $0.hasData && night.hasData ? Double($0.completed) : nil }, percent: false)))
            \(PageParts.card("Failed", HTML.number(night.fleetFailed)))
            \(PageParts.card("Stopped", HTML.number(night.fleetStopped)))
            \(PageParts.card("Failure rate", HTML.percent(night.fleetFailureRate),
                change: PageParts.change(night.fleetFailureRate, dayBefore: trends.dayBefore?.failureRate, weekBefore: trends.weekBefore?.failureRate, percent: true)))
            \(PageParts.card("Stop rate", HTML.percent(night.fleetStopRate)))
            \(PageParts.card("Progress points / hour", FixedPoint.format(night.fleetPointsPerHour, digits: 1)))
            \(PageParts.card("Time to terminal p50 / p95", "\(HTML.hours(night.timeToTerminal.p50)) / \(HTML.hours(night.timeToTerminal.p95))",
                change: "<span class=\"change\">± \(HTML.hours(night.pollingResolutionSeconds)) polling resolution</span>"))
            \(PageParts.card("Stuck / old pending", "\(night.flaggedCount(.stuck)) / \(night.flaggedCount(.oldPending))"))
            \(PageParts.card("Accounts collected", "\(night.collection.accountsOK) / \(night.accounts.count)"))
            </ul>
            <h2 id="attention">Needs attention</h2>
            \(Charts.worst(data, id: "worst"))
            <h3 id="flagged">Stuck and old pending batches, oldest first</h3>
            \(flaggedTable(flagged, zone: zone, root: root, limit: Self.flaggedShown))
            <h2>Trends (30 days)</h2>
            \(Charts.throughput(data, id: "throughput", download: "daily-throughput.csv"))
            \(Charts.statusMix(data, id: "status-mix", download: "status-mix.csv"))
            <h2 id="accounts">Accounts</h2>
            <form id="account-filter" class="filter" role="search" data-root="\(root)"\
            \(manager.map { " data-manager=\"\(HTML.escape($0))\"" } ?? "") hidden>
            <label for="account-query">Find an account by id, name or manager:</label>
            <input id="account-query" type="search" autocomplete="off" placeholder="acc-00042, Cobalt, Ana…">
            </form>
            <div id="account-matches"></div>

            """)
        let pages = browsePages
        if pages.isEmpty {
            try accountsTable(night.accounts[...], root: root, emit)
        } else {
            try emit(browseLinks(pages, root: root, current: nil))
        }
        try emit("""

            <h2 id="collection">Collection health</h2>
            \(PageParts.dataTable(ReportTables.collection(data), zone: zone, id: "collection-table", caption: "Fetches by outcome and HTTP status, and totals for the window"))
            \(PageParts.definitions)
            </main>
            """)
        try emit(HTML.pageEnd(
            footer: "Generated by fpreport \(HTML.escape(data.toolVersion)) from the collection history; every time is in \(HTML.escape(zone.reportName))."))
    }

    /// One page of the accounts index (`browse/…`), `number` counting from 1.
    func renderBrowsePage(_ number: Int, _ emit: (String) throws -> Void) rethrows {
        let pages = browsePages
        let accounts = pages[number - 1].accounts
        let first = accounts.first.map(\.accountID) ?? ""
        let last = accounts.last.map(\.accountID) ?? ""
        let title = "\(data.scope): accounts \(first) to \(last) — \(data.night.window.date)"
        try emit(HTML.pageStart(title: "fpreport \(data.night.window.date) — \(title)", root: "../"))
        try emit("""
            <nav><a href="../\(path)">← \(HTML.escape(data.scope))</a></nav>
            \(PageParts.header(data, title: title, root: "../", workbook: workbook))
            <main id="main">
            <h2 id="accounts">Accounts, page \(number) of \(pages.count)</h2>
            \(browseLinks(pages, root: "../", current: number))

            """)
        try accountsTable(accounts, root: "../", emit)
        try emit("\n</main>")
        try emit(HTML.pageEnd(footer: "Generated by fpreport \(HTML.escape(data.toolVersion)); every time is in \(HTML.escape(data.timeZone.reportName))."))
    }

    /// Links to every page of the accounts index, each named by its first and last account.
    private func browseLinks(_ pages: [(path: String, accounts: ArraySlice<AccountNight>)], root: String, current: Int?) -> String {
        // The closure's type is spelled out: without it the literals can be inferred as GRDB's SQL.
        let items = pages.enumerated().map { index, page -> String in
            let label = "\(HTML.escape(page.accounts.first?.accountID ?? "")) – \(HTML.escape(page.accounts.last?.accountID ?? ""))"
            return index + 1 == current
                ? "<li><strong aria-current=\"page\">\(label)</strong></li>"
                : "<li><a href=\"\(root)\(page.path)\">\(label)</a></li>"
        }.joined()
        return "<p>\(HTML.number(data.night.accounts.count)) accounts, \(Self.pageSize) a page, by account id:</p>"
            + "<nav aria-label=\"Accounts pages\"><ul class=\"pages\">\(items)</ul></nav>"
    }

    /// The accounts index: columns of the accounts table, by name, as the workbook declares them.
    private func accountsTable(_ accounts: ArraySlice<AccountNight>, root: String, _ emit: (String) throws -> Void) rethrows {
        let columns = [
            "account_id", "account_name", "manager", "completed_in_window", "failed_in_window", "stopped_in_window", "failure_rate",
            "in_progress", "pending", "stuck_in_progress", "collection",
        ]
        try PageParts.columns(
            ReportTables.accounts(data, of: Array(accounts)), columns, zone: data.timeZone,
            caption: "Per account, for the window (counts at its end)", id: "accounts-table",
            decorate: { column, cell, shown in
                switch (column, cell) {
                case ("account_id", .text(let id)): "<a href=\"\(root)accounts/\(Slug.make(id)).html\">\(shown)</a>"
                case ("collection", .text(let state)) where state != "ok": "<strong>\(shown)</strong>"
                default: shown
                }
            }, emit)
    }
}

/// Tables and charts shared by the fleet and account pages.
enum Charts {
    static func throughput(_ data: ReportData, id: String, download: String, points: [DailyPoint]? = nil) -> String {
        let table = ReportTables.throughputChart(data, points: points)
        let svg = SVGChart.lines(
            ["completed", "failed", "stopped"].map { SVGChart.Series(table, column: $0) }, labels: SVGChart.labels(table, column: "date"),
            id: id, title: "Batches finished per day, last \(table.rows.count) days; gaps are days without collection")
        return PageParts.figure(id: id, caption: "Batches finished per day", svg: svg, download: download, table: table, zone: data.timeZone)
    }

    static func statusMix(_ data: ReportData, id: String, download: String, points: [DailyPoint]? = nil) -> String {
        let table = ReportTables.statusMixChart(data, points: points)
        let svg = SVGChart.stacked(
            BatchStatus.allCases.map { SVGChart.Series(table, column: $0.rawValue) }, labels: SVGChart.labels(table, column: "date"),
            id: id, title: "Batches by status at the end of each day")
        return PageParts.figure(
            id: id, caption: "Batches by status at the end of each day", svg: svg, download: download, table: table, zone: data.timeZone)
    }

    static func worst(_ data: ReportData, id: String) -> String {
        guard !data.worst.isEmpty else {
            return "<p>No account with failures had at least \(data.minimumFinishedForRanking) finished batches in the window.</p>"
        }
        let table = ReportTables.worstAccountsChart(data)
        let rates = SVGChart.Series(table, column: "failure_rate").values
        let names = zip(SVGChart.labels(table, column: "account_name"), SVGChart.labels(table, column: "account_id")).map { "\($0) (\($1))" }
        let svg = SVGChart.bars(
            zip(names, rates).map { ($0, $1 ?? 0) }, id: id, title: "Failure rate of the worst accounts", color: "failed")
        return PageParts.figure(
            id: id, caption: "Failure rate, worst accounts (at least \(data.minimumFinishedForRanking) finished)", svg: svg,
            download: "worst-accounts.csv", table: table, zone: data.timeZone)
    }
}

/// The flagged-batches table: the first `limit` of `flagged`, and how many more batches.csv has.
func flaggedTable(_ flagged: [FlaggedBatch], zone: TimeZone, root: String, limit: Int = 500) -> String {
    guard !flagged.isEmpty else { return "<p>None.</p>" }
    let rows = flagged.prefix(limit).map { flag in
        ["<a href=\"\(root)accounts/\(Slug.make(flag.accountID)).html\">\(HTML.escape(flag.accountID))</a>", HTML.escape(flag.batchID), flag.reason == .stuck ? "stuck" : "old pending", HTML.escape(flag.status.rawValue),
               "\(flag.progress) %", HTML.timeText(flag.since, zone)]
    }
    let more = flagged.count > limit
        ? "<p>… and \(HTML.number(flagged.count - limit)) more in <a href=\"\(root)csv/batches.csv\">batches.csv</a> (column flag).</p>" : ""
    return HTML.table(
        caption: "Flagged at the end of the window (\(HTML.number(flagged.count)))",
        headers: [("Account", false), ("Batch", false), ("Flag", false), ("Status", false), ("Progress", true), ("Since", false)],
        rows: Array(rows), id: "flagged-table") + more
}
