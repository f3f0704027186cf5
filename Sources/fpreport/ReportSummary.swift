import FPReportJobs
import Foundation

/// Where to look in a published report: a few lines, whatever the fleet's size (a night folder
/// at 10,000 accounts holds over 10,000 files; listing them helps nobody).
enum ReportSummary {
    static func lines(_ published: ReportJob.Published, latest: URL?) -> [String] {
        let folder = published.folder
        let files = Set(published.files)
        var lines = ["Report for \(published.window.date) (\(published.window.timeZone.reportName)) in \(folder.path)/:"]
        if files.contains("index.html") {
            let accounts = files.filter { $0.hasPrefix("accounts/") }.count
            lines.append("  Fleet page:     \(folder.appendingPathComponent("index.html").path)  (open it in a browser; \(accounts) account pages behind it)")
        }
        if files.contains("report.xlsx") {
            lines.append("  Workbook:       \(folder.appendingPathComponent("report.xlsx").path)")
        }
        let managers = files.filter { $0.hasPrefix("managers/") && $0.hasSuffix(".xlsx") }.count
        let managerPages = files.filter { $0.hasPrefix("managers/") && $0.hasSuffix(".html") }.count
        if managers + managerPages > 0 {
            lines.append("  Per manager:    \(folder.appendingPathComponent("managers").path)/  (\(max(managers, managerPages)) managers, a workbook and a page each)")
        }
        if files.contains(where: { $0.hasPrefix("csv/") }) {
            lines.append("  CSV tables:     \(folder.appendingPathComponent("csv").path)/")
        }
        lines.append("  \(files.count) files in all.")
        if let latest { lines.append("Latest report: \(latest.path)") }
        return lines
    }
}
