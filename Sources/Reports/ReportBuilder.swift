import BatchMetrics
import FPModel
import Foundation

/// The output formats a report can be written in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case csv
    case xlsx
    case html
}

/// Writes one night's report into a folder (which ``ReportPublisher`` then puts in place).
public struct ReportBuilder: Sendable {
    public var formats: Set<ReportFormat>
    public var csvByteOrderMark: Bool

    public init(formats: Set<ReportFormat> = Set(ReportFormat.allCases), csvByteOrderMark: Bool = false) {
        self.formats = formats
        self.csvByteOrderMark = csvByteOrderMark
    }

    /// Writes every selected format for `data` into `folder`; returns the files written, relative to it, sorted.
    /// `progress(done, total)` counts account pages, manager pages and workbooks as they are written.
    ///
    /// The night folder holds one file per account page and a few more: the CSV set, the shared
    /// `assets/`, the accounts index pages, and per manager a page and a workbook.
    public func write(_ data: ReportData, into folder: URL, progress: (Int, Int) -> Void = { _, _ in }) throws -> [String] {
        let html = formats.contains(.html)
        let xlsx = formats.contains(.xlsx)
        let managers = data.managers
        let total = (html ? data.night.accounts.count : 0) + (html || xlsx ? managers.count : 0) + (xlsx ? 1 : 0)
        var done = 0
        func step() {
            done += 1
            progress(done, total)
        }
        // The CSV set and the fleet workbook are each written by one thread, a table or a sheet at
        // a time. They run on a thread of their own beside the pages and the managers' reports,
        // which use every core; written first, they left a core idle for 0.7-1 s of the 7.5 s of
        // writing a 10,000-account night on two cores.
        let (tables, pages) = try Parallel.beside({ [self] in try writeTablesAndWorkbook(data, into: folder) }) {
            try writePagesAndManagers(data, managers: managers, into: folder, step: step)
        }
        if xlsx { step() }
        return (tables + pages).sorted()
    }

    /// The CSV set and `report.xlsx`; returns their paths.
    private func writeTablesAndWorkbook(_ data: ReportData, into folder: URL) throws -> [String] {
        var written: [String] = []
        if formats.contains(.csv) {
            let csv = CSVWriter(timeZone: data.timeZone, byteOrderMark: csvByteOrderMark)
            try Self.createDirectory(folder.appendingPathComponent("csv"))
            // One table at a time, streamed to its file: the large ones never sit in memory twice.
            for build in ReportTables.builders {
                let table = build(data)
                let name = "csv/\(table.name).csv"
                try csv.write(table, to: folder.appendingPathComponent(name))
                written.append(name)
            }
        }
        if formats.contains(.xlsx) {
            try WorkbookReport(data: data).write(to: folder.appendingPathComponent("report.xlsx"))
            written.append("report.xlsx")
        }
        return written
    }

    /// The pages (assets, fleet, accounts) and each manager's page and workbook; returns their paths.
    private func writePagesAndManagers(_ data: ReportData, managers: [String], into folder: URL, step: () -> Void) throws -> [String] {
        let html = formats.contains(.html)
        let xlsx = formats.contains(.xlsx)
        var written: [String] = []
        if html {
            try Self.createDirectory(folder.appendingPathComponent("assets"))
            try Self.createDirectory(folder.appendingPathComponent("accounts"))
            for (name, text) in [(Assets.stylesheet, Assets.style), (Assets.script, Assets.scriptText)] {
                try TextFile.write(text, to: folder.appendingPathComponent("assets/\(name)"))
                written.append("assets/\(name)")
            }
            try TextFile.write(to: folder.appendingPathComponent("assets/\(Assets.accountsIndex)")) { emit in
                try Assets.accountsIndex(data.night.accounts, emit: emit)
            }
            written.append("assets/\(Assets.accountsIndex)")
            written += try writeScopePage(FleetPage(data: data), into: folder)
            // Account pages are independent: written on every core, a few hundred at a time so
            // progress is reported from here.
            let index = AccountPage.Index(data.night)
            let accounts = data.night.accounts
            for first in stride(from: 0, to: accounts.count, by: 256) {
                let pages = try Parallel.map(first..<min(first + 256, accounts.count)) { position in
                    let page = AccountPage(data: data, account: accounts[position], index: index)
                    try TextFile.write(page.render(), to: folder.appendingPathComponent("accounts/\(page.slug).html"))
                    return "accounts/\(page.slug).html"
                }
                written += pages
                pages.forEach { _ in step() }
            }
        }
        if (html || xlsx) && !managers.isEmpty {
            try Self.createDirectory(folder.appendingPathComponent("managers"))
            // Each manager's report is computed once and rendered in both formats; managers in parallel.
            let scopes = ManagerScopes(data, managers: managers)
            let perManager = try Parallel.map(managers.indices) { position -> [String] in
                let manager = managers[position]
                let scoped = scopes.report(position)
                var files = html ? try writeScopePage(FleetPage(data: scoped, manager: manager), into: folder) : []
                if xlsx {
                    let name = "managers/\(Slug.make(manager)).xlsx"
                    try WorkbookReport(data: scoped).write(to: folder.appendingPathComponent(name))
                    files.append(name)
                }
                return files
            }
            for files in perManager {
                written += files
                step()
            }
        }
        return written
    }

    /// A scope's page and its accounts index pages; returns their paths.
    private func writeScopePage(_ page: FleetPage, into folder: URL) throws -> [String] {
        try TextFile.write(to: folder.appendingPathComponent(page.path)) { emit in try page.render(emit) }
        var written = [page.path]
        let pages = page.browsePages
        if !pages.isEmpty { try Self.createDirectory(folder.appendingPathComponent("browse")) }
        for (number, browse) in pages.enumerated() {
            try TextFile.write(to: folder.appendingPathComponent(browse.path)) { emit in try page.renderBrowsePage(number + 1, emit) }
            written.append(browse.path)
        }
        return written
    }

    static func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ReportError("cannot create \(url.path): \(error.localizedDescription)")
        }
    }
}
