import BatchMetrics
import FPModel
import Foundation

/// Pieces both the fleet page and the account pages are made of.
enum PageParts {
    /// Title, provenance line and, with `downloads`, the downloads line (account pages leave it
    /// to the fleet page and link there). `workbook` is the page's own workbook, relative to the night folder.
    static func header(
        _ data: ReportData, title: String, root: String, extra: String = "", workbook: String = "report.xlsx", downloads: Bool = true
    ) -> String {
        let night = data.night
        let zone = data.timeZone.reportName
        let asOf = night.dataAsOf.map { HTML.time($0, data.timeZone) } ?? "no collection yet"
        let links = !downloads ? "" : """

            <p class="provenance" id="downloads">Downloads: <a href="\(root)\(workbook)">workbook (XLSX)</a> · \
            <a href="\(root)csv/summary.csv">summary.csv</a> · <a href="\(root)csv/accounts.csv">accounts.csv</a> · \
            <a href="\(root)csv/daily.csv">daily.csv</a> · <a href="\(root)csv/batches.csv">batches.csv</a> · \
            <a href="\(root)csv/collection.csv">collection.csv</a></p>
            """
        return """
            <header><h1>\(HTML.escape(title))</h1>
            <p class="provenance">Window \(HTML.escape(night.window.date)) 00:00–24:00 \(HTML.escape(zone)) \
            (\(Int(night.window.hours)) h) · data as of \(asOf) · run \(night.lastRunID.map(String.init) ?? "none") · \
            \(night.runs.count) run(s) in the window · fpreport \(HTML.escape(data.toolVersion))\(extra)</p>\(links)</header>
            """
    }

    /// Visible warnings: a night without data, accounts that failed to collect.
    static func warnings(_ data: ReportData, accounts: [FailedFetch], root: String) -> String {
        var out = ""
        if !data.night.hasData {
            out += "<p class=\"warning\" role=\"status\"><strong>No collection ran in this window.</strong> "
                + "The figures below are a gap, not zeros.</p>"
        }
        if !accounts.isEmpty {
            let items = accounts.prefix(50).map { failure in
                "<li><a href=\"\(root)accounts/\(Slug.make(failure.accountID)).html\">\(HTML.escape(failure.accountID))</a>: "
                    + "\(HTML.escape(failure.outcome.rawValue))\(failure.httpStatus.map { " (HTTP \($0))" } ?? "") — \(HTML.escape(failure.error))</li>"
            }.joined()
            out += "<div class=\"warning\" role=\"status\"><strong>Partial data: \(accounts.count) account(s) failed to collect "
                + "at the last collection of this window.</strong> Their counts are from their last successful collection.<ul>\(items)</ul>"
                + (accounts.count > 50 ? "<p>… and \(accounts.count - 50) more (see collection.csv).</p>" : "") + "</div>"
        }
        return out
    }

    /// A headline figure with optional change markers.
    static func card(_ label: String, _ value: String, change: String = "") -> String {
        "<li>\(HTML.escape(label))<b>\(value)</b>\(change)"
    }

    /// "▲ 3 vs day before · ▼ 2 vs week before", or nothing when either side has no data.
    static func change(_ now: Double?, dayBefore: Double?, weekBefore: Double?, percent: Bool) -> String {
        func one(_ before: Double?, _ label: String) -> String? {
            guard let now, let before else { return nil }
            let delta = now - before
            let arrow = delta > 0 ? "▲" : (delta < 0 ? "▼" : "＝")
            let amount = percent ? FixedPoint.format(abs(delta) * 100, digits: 1) + " pp" : String(Int(abs(delta).rounded()))
            return "\(arrow) \(amount) vs \(label)"
        }
        let parts = [one(dayBefore, "day before"), one(weekBefore, "week before")].compactMap { $0 }
        return parts.isEmpty ? "" : "<span class=\"change\">\(parts.joined(separator: " · "))</span>"
    }

    /// A chart with its caption, a link with exactly its data as CSV (inline, as a `data:` URL
    /// saved as `download`), and a data table.
    static func figure(id: String, caption: String, svg: String, download: String, table: Table, zone: TimeZone) -> String {
        """
        <figure aria-labelledby="\(id)-caption"><figcaption id="\(id)-caption">\(HTML.escape(caption))</figcaption>
        \(svg)
        <p class="chart-links"><a href="\(HTML.csvDataURL(CSVWriter(timeZone: zone).render(table)))" \
        download="\(HTML.escape(download))">Download this chart's data (CSV)</a></p>
        <details><summary>Data table</summary>\(plainTable(table, zone: zone, caption: caption))</details>
        </figure>
        """
    }

    /// A declared table, every column, as a sortable page table (see ``columns(_:_:zone:caption:id:decorate:_:)``).
    static func dataTable(_ table: Table, zone: TimeZone, id: String, caption: String) -> String {
        var out = ""
        columns(table, table.columns.map(\.name), zone: zone, caption: caption, id: id) { out += $0 }
        return out
    }

    /// The columns named `names` of a declared table as a sortable page table: their declared words
    /// and alignment, each cell shown by its kind, and `decorate` to turn a cell (by column name)
    /// into a link or stress it. Written a row at a time.
    static func columns(
        _ table: Table, _ names: [String], zone: TimeZone, caption: String, id: String,
        decorate: (String, Cell, String) -> String = { _, _, shown in shown }, _ emit: (String) throws -> Void
    ) rethrows {
        let picked = names.compactMap { name in table.index(of: name).map { (name: name, index: $0) } }
        assert(picked.count == names.count, "\(table.name) lacks one of \(names)")
        let headers = picked.map { (table.columns[$0.index].label, numeric: table.columns[$0.index].format.isNumeric) }
        try emit(HTML.tableStart(caption: HTML.escape(caption), headers: headers, id: id))
        for row in table.rows {
            try emit(HTML.tableRow(picked.map { decorate($0.name, row[$0.index], display(row[$0.index], zone: zone)) }, headers: headers))
        }
        try emit(HTML.tableEnd)
    }

    /// A small table as plain markup, no sorting: the data behind a chart, on every account page.
    static func plainTable(_ table: Table, zone: TimeZone, caption: String) -> String {
        var out = "<table class=\"chart-data\"><caption>\(HTML.escape(caption))</caption><thead><tr>"
        for column in table.columns { out += "<th>\(HTML.escape(column.label))</th>" }
        out += "</tr></thead><tbody>"
        for row in table.rows {
            out += "<tr>"
            for (index, cell) in row.enumerated() {
                let text: String
                switch cell {
                case .text(let value), .date(let value): text = HTML.escape(value)
                case .empty: text = "–"
                default: text = display(cell, zone: zone)
                }
                // Alignment comes from the stylesheet: a class per cell costs 5 KB a page on 10,000 pages.
                out += index == 0 ? "<th>\(text)" : "<td>\(text)"
            }
        }
        return out + "</tbody></table>"
    }

    static func display(_ cell: Cell, zone: TimeZone) -> String {
        switch cell {
        case .text(let text), .date(let text): HTML.escape(text)
        case .integer(let value): HTML.number(value)
        case .fraction(let value): HTML.percent(value)
        case .decimal(let value): FixedPoint.format(value, digits: 2)
        case .timestamp(let seconds): HTML.timeText(seconds, zone)
        case .empty: "<span class=\"na\">–</span>"
        }
    }

    /// Plain-words definitions of every figure.
    static let definitions = """
        <h2 id="definitions">Definitions</h2><dl>
        <dt>Window</dt><dd>The calendar day in the report time zone, local midnight to midnight (23 or 25 hours on daylight-saving days).</dd>
        <dt>Entered a status</dt><dd>A run saw the batch change to that status, or saw it for the first time after the account's first collection. What the first collection finds is the baseline, not that night's throughput.</dd>
        <dt>Failure rate</dt><dd>failed / (completed + failed + stopped), over batches that finished in the window. Empty when nothing finished.</dd>
        <dt>Stop rate</dt><dd>stopped / (completed + failed + stopped), likewise.</dd>
        <dt>Progress points per hour</dt><dd>Positive changes of progress between two observations of a batch, summed over batches, per hour of the window.</dd>
        <dt>Time to terminal</dt><dd>From first sight of a batch to the run that saw it completed, failed or stopped; median (p50) and 95th percentile. Known to within the polling resolution (the usual gap between runs).</dd>
        <dt>Stuck</dt><dd>In progress with no change of progress for the configured time (24 h by default) at the end of the window.</dd>
        <dt>Old pending</dt><dd>Pending since first seen for the configured time or longer.</dd>
        <dt>Worst accounts</dt><dd>Accounts with failures, ranked by failure rate, among those with at least the minimum number of finished batches.</dd>
        <dt>Partial data</dt><dd>An account whose last collection in the window failed keeps the counts of its last successful collection; it is listed at the top of the page.</dd>
        </dl>
        """
}
