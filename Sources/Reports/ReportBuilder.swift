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
    /// `progress(done, total)` counts account pages and manager workbooks as they are written.
    public func write(_ data: ReportData, into folder: URL, progress: (Int, Int) -> Void = { _, _ in }) throws -> [String] {
        let total = (formats.contains(.html) ? data.night.accounts.count : 0) + (formats.contains(.xlsx) ? data.managers.count + 1 : 0)
        var done = 0
        var written: [String] = []
        // The HTML pages link the chart CSVs, so they are written with either format.
        if formats.contains(.csv) || formats.contains(.html) {
            let csv = CSVWriter(timeZone: data.timeZone, byteOrderMark: csvByteOrderMark)
            try Self.createDirectory(folder.appendingPathComponent("csv"))
            let charts: [@Sendable (ReportData) -> Table] = [
                { ReportTables.throughputChart($0) }, { ReportTables.statusMixChart($0) }, ReportTables.worstAccountsChart,
            ]
            // One table at a time, streamed to its file: the large ones never sit in memory twice.
            for build in (formats.contains(.csv) ? ReportTables.builders : []) + charts {
                let table = build(data)
                let name = "csv/\(table.name).csv"
                try csv.write(table, to: folder.appendingPathComponent(name))
                written.append(name)
            }
        }
        if formats.contains(.html) {
            try TextFile.write(to: folder.appendingPathComponent("index.html")) { emit in try FleetPage(data: data).render(emit) }
            written.append("index.html")
            try Self.createDirectory(folder.appendingPathComponent("accounts"))
            let csv = CSVWriter(timeZone: data.timeZone)
            let index = AccountPage.Index(data.night)
            for account in data.night.accounts {
                let page = AccountPage(data: data, account: account, index: index)
                try Self.write(Data(page.render().utf8), to: folder.appendingPathComponent("accounts/\(page.slug).html"))
                written.append("accounts/\(page.slug).html")
                done += 1
                progress(done, total)
                for (name, table) in page.chartTables() {
                    try Self.write(Data(csv.render(table).utf8), to: folder.appendingPathComponent("accounts/\(name)"))
                    written.append("accounts/\(name)")
                }
            }
        }
        if formats.contains(.xlsx) {
            try WorkbookReport(data: data).write(to: folder.appendingPathComponent("report.xlsx"))
            written.append("report.xlsx")
            done += 1
            progress(done, total)
            let managers = data.managers
            if !managers.isEmpty { try Self.createDirectory(folder.appendingPathComponent("managers")) }
            for manager in managers {
                let name = "managers/\(Slug.make(manager)).xlsx"
                try WorkbookReport(data: data.restricted(toManager: manager)).write(to: folder.appendingPathComponent(name))
                written.append(name)
                done += 1
                progress(done, total)
            }
        }
        return written.sorted()
    }

    static func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ReportError("cannot create \(url.path): \(error.localizedDescription)")
        }
    }

    static func write(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url)
        } catch {
            throw ReportError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
