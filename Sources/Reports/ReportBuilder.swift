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

    public init(formats: Set<ReportFormat> = [.csv], csvByteOrderMark: Bool = false) {
        self.formats = formats
        self.csvByteOrderMark = csvByteOrderMark
    }

    /// Writes every selected format for `night` into `folder`; returns the files written, relative to it.
    public func write(_ night: NightMetrics, into folder: URL) throws -> [String] {
        var written: [String] = []
        if formats.contains(.csv) {
            let csv = CSVWriter(timeZone: night.window.timeZone, byteOrderMark: csvByteOrderMark)
            let directory = folder.appendingPathComponent("csv")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for table in [ReportTables.accounts(night), ReportTables.statuses(night)] {
                let name = "csv/\(table.name).csv"
                try Self.write(Data(csv.render(table).utf8), to: folder.appendingPathComponent(name))
                written.append(name)
            }
        }
        return written
    }

    static func write(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url)
        } catch {
            throw ReportError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
