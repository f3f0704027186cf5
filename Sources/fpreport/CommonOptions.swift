import ArgumentParser
import FPConfig
import Foundation
import Logging

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
