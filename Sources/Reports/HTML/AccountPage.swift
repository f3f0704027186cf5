import BatchMetrics
import FPModel
import HistoryStore
import Foundation

/// `accounts/<slug>.html`: one account's night, trends, flagged batches and the night's batches.
struct AccountPage {
    /// Where each account's batches, flags and failures are in the night's arrays, found once so
    /// each page reads only its own. Positions, not copies: 200,000 batches are not held twice.
    struct Index {
        private var batches: [String: [Int]] = [:]
        private var flagged: [String: [Int]] = [:]
        private var failures: [String: [Int]] = [:]

        init(_ night: NightMetrics) {
            for (position, batch) in night.batches.enumerated() { batches[batch.accountID, default: []].append(position) }
            for (position, flag) in night.flagged.enumerated() { flagged[flag.accountID, default: []].append(position) }
            for (position, failure) in night.collection.failedAccounts.enumerated() {
                failures[failure.accountID, default: []].append(position)
            }
        }

        func batches(of id: String, in night: NightMetrics) -> [BatchStateRecord] { (batches[id] ?? []).map { night.batches[$0] } }
        func flagged(of id: String, in night: NightMetrics) -> [FlaggedBatch] { (flagged[id] ?? []).map { night.flagged[$0] } }
        func failures(of id: String, in night: NightMetrics) -> [FailedFetch] {
            (failures[id] ?? []).map { night.collection.failedAccounts[$0] }
        }
    }

    let data: ReportData
    let account: AccountNight
    let index: Index

    var slug: String { Slug.make(account.accountID) }

    /// An in-window figure, or a marked gap when the window has no successful fetch of the account.
    func inWindow(_ value: String) -> String {
        account.hasData ? value : "<span class=\"na\" title=\"no successful collection in the window\">–</span>"
    }

    /// Written 10,000 times a night, so it carries what is only this account's: the shared
    /// downloads, the definitions and the fleet's charts are one link away. About 5 KB.
    func render() -> String {
        let night = data.night
        let zone = data.timeZone
        let points = data.trends.accounts[account.accountID] ?? []
        let failures = index.failures(of: account.accountID, in: night)
        let batches = index.batches(of: account.accountID, in: night)
        let flagged = index.flagged(of: account.accountID, in: night)
        let title = "\(account.name) (\(account.accountID)) — \(night.window.date)"
        let manager = account.manager.isEmpty ? ""
            : " · <a href=\"../managers/\(Slug.make(account.manager)).html\">\(HTML.escape(account.manager))</a>"
        // Every flagged batch is one of the night's (flags are worked out from them): one table, a
        // column for the flag, the batches table's own columns by name.
        var table = ""
        PageParts.columns(
            ReportTables.batches(data, of: batches), ["batch_id", "status", "progress", "first_seen_at", "last_change_at", "flag"],
            zone: zone, caption: "\(batches.count) batch(es)", id: "batches-table",
            decorate: { column, cell, shown in
                switch (column, cell) {
                case ("flag", .text(let flag)): "<strong>\(flag == FlaggedBatch.Reason.oldPending.rawValue ? "old pending" : flag)</strong>"
                case ("flag", .empty): ""
                default: shown
                }
            }) { table += $0 }
        let body = """
            <nav><a href="../index.html">← All accounts</a>\(manager)</nav>
            \(PageParts.header(data, title: title, root: "../", downloads: false))
            <main id="main">
            \(PageParts.warnings(data, accounts: failures, root: "../"))
            <h2>Headline</h2>
            <ul class="cards">
            \(PageParts.card("Completed", inWindow(HTML.number(account.completed))))
            \(PageParts.card("Failed", inWindow(HTML.number(account.failed))))
            \(PageParts.card("Stopped", inWindow(HTML.number(account.stopped))))
            \(PageParts.card("Failure rate", inWindow(HTML.percent(account.failureRate))))
            \(PageParts.card("Stop rate", inWindow(HTML.percent(account.stopRate))))
            \(PageParts.card("Progress points / hour", inWindow(FixedPoint.format(account.pointsPerHour, digits: 1))))
            \(PageParts.card("Time to terminal p50 / p95", inWindow("\(HTML.hours(account.timeToTerminal.p50)) / \(HTML.hours(account.timeToTerminal.p95))")))
            \(PageParts.card("Stuck / old pending", "\(account.stuck) / \(account.oldPending)"))
            </ul>
            <p>\(countsLine(zone))</p>
            <h2>Last \(points.count) days</h2>
            \(Charts.throughput(data, id: "throughput", download: "\(slug)-daily-throughput.csv", points: points))
            <h2>The night's batches</h2>
            <p>Open at the end of the window, or entered a status or progressed in it; \(flagged.isEmpty ? "none" : "<strong>\(flagged.count)</strong>") \
            stuck or pending too long. The whole ledger: <code>fpreport export batches</code>.</p>
            \(batches.isEmpty ? "<p>None.</p>" : table)
            <p><a href="../index.html#definitions">Definitions</a> · <a href="../index.html#downloads">Downloads</a></p>
            </main>
            """
        return HTML.page(
            title: "fpreport \(night.window.date) — \(account.name)", body: body,
            footer: "fpreport \(HTML.escape(data.toolVersion)); times in \(HTML.escape(zone.reportName)).", root: "../")
    }

    /// `in progress` for `in_progress`: made once, not per page.
    static let statusWords = Dictionary(uniqueKeysWithValues: BatchStatus.allCases.map { ($0, $0.rawValue.replacingOccurrences(of: "_", with: " ")) })

    /// The counts at the window's end (every batch, not only the night's) and when they were seen.
    private func countsLine(_ zone: TimeZone) -> String {
        guard let counts = account.countsAtEnd, let observed = account.countsObservedAt else {
            return "Never collected: no counts."
        }
        let parts = BatchStatus.allCases.map { "\(HTML.number(counts[$0])) \(Self.statusWords[$0] ?? $0.rawValue)" }
        return "At the end of the window: " + parts.joined(separator: " · ") + " (counts observed \(HTML.time(observed, zone)))."
    }
}

/// `Reports/index.html`: every published night, newest first.
public enum ArchivePage {
    public static func render(dates: [String]) -> String {
        let items = dates.map { date in
            "<li><a href=\"\(HTML.escape(date))/index.html\">\(HTML.escape(date))</a> · "
                + "<a href=\"\(HTML.escape(date))/report.xlsx\">workbook</a> · <a href=\"\(HTML.escape(date))/csv/summary.csv\">summary.csv</a></li>"
        }.joined()
        let body = """
            <header><h1>FirstPromoter batch process reports</h1>
            <p class="provenance"><a href="latest/index.html">Latest night</a> · \(dates.count) night(s) published</p></header>
            <main id="main"><h2>Nights</h2><ul>\(items)</ul></main>
            """
        return HTML.standalonePage(title: "fpreport — archive", body: body, footer: "Generated by fpreport.")
    }
}
