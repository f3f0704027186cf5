import ArgumentParser
import BatchMetrics
import FPConfig
import FPModel
import Foundation
import Logging
import Reports

/// Options every subcommand shares: logging.
struct LoggingOptions: ParsableArguments {
    /// How log lines look.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Least severe log level shown: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .notice

    @Option(help: "Log lines as readable text or as one JSON object per line (for journald and log shippers).")
    var logFormat: Format = .text

    /// Whether every line on standard error is a JSON object (set once, before any output).
    static let jsonLines = FlagBox()

    /// Starts swift-log writing to standard error, once per process, and returns the tool's logger.
    func bootstrap() -> Logger {
        let level = logLevel
        let format = logFormat
        Self.jsonLines.value = format == .json
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, logLevel: level)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "fpreport")
        logger.logLevel = level
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--config FILE`, loaded and validated.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file (see config/fpreport.example.yaml).")
    var config: String

    func load() throws -> FPConfiguration {
        do {
            return try ConfigLoader.load(path: config)
        } catch {
            throw Failure.config(error)
        }
    }
}

/// A flag written once at start-up and read afterwards.
final class FlagBox: @unchecked Sendable {
    // Unchecked: written once in bootstrap() before any concurrent reader exists.
    var value = false
}

/// Values the command line parses once, where it reads them: each option has its type, and
/// `run()` never parses a string an option held.
enum Parse {
    /// `--formats csv,xlsx,html`.
    static func formats(_ text: String) throws -> Set<ReportFormat> {
        var formats: Set<ReportFormat> = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let format = ReportFormat(rawValue: name) else {
                throw ValidationError("expected csv, xlsx and html, comma-separated; \"\(name)\" is not one of them")
            }
            formats.insert(format)
        }
        guard !formats.isEmpty else { throw ValidationError("expected at least one of csv, xlsx, html") }
        return formats
    }

    /// An observation time such as `2026-11-28T03:00:00Z`.
    static func instant(_ text: String) throws -> Date {
        guard let date = ISO8601.parse(text) else {
            throw ValidationError("expected an ISO 8601 time such as 2026-11-28T03:00:00Z")
        }
        return date
    }

    /// A calendar day `YYYY-MM-DD` (its window is worked out in the report time zone later).
    static func day(_ text: String) throws -> String {
        guard ReportWindow(date: text, timeZone: .gmt) != nil else {
            throw ValidationError("expected a calendar date YYYY-MM-DD")
        }
        return text
    }

    /// A whole number of at least `minimum`.
    static func count(atLeast minimum: Int) -> @Sendable (String) throws -> Int {
        { text in
            guard let value = Int(text), value >= minimum else {
                throw ValidationError("expected a whole number of \(minimum) or more")
            }
            return value
        }
    }
}

/// `--formats` and `--csv-bom`, for every command that writes a report.
struct ReportFormatOptions: ParsableArguments {
    @Option(help: "Formats to write: csv, xlsx, html (comma-separated).", transform: Parse.formats)
    var formats: Set<ReportFormat> = [.csv, .xlsx, .html]

    @Flag(help: "Start CSV files with a UTF-8 byte-order mark (for older Excel).")
    var csvBom = false

    var builder: ReportBuilder { ReportBuilder(formats: formats, csvByteOrderMark: csvBom) }
}

/// `--max-failed` and `--json`, for every command that collects.
struct CollectionOptions: ParsableArguments {
    @Option(help: "Accounts allowed to fail before the exit code is 1.", transform: Parse.count(atLeast: 0))
    var maxFailed = 0

    @Flag(help: "Print a machine-readable summary of the collection on standard output.")
    var json = false
}
