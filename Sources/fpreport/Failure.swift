import ArgumentParser
import FPConfig
import Foundation
import HistoryStore

/// How a command failed, mapped to SPEC section 6's exit codes.
enum Failure {
    /// 64: bad usage or configuration.
    static func config(_ error: ConfigError) -> ExitCode {
        report("configuration error: \(error)")
        return ExitCode(64)
    }

    /// Maps any error a job throws to its exit code, printing it first.
    static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case let error as ExitCode:
            return error
        case let error as ConfigError:
            return config(error)
        case let error as HistoryStoreError where error.isLeaseHeld:
            report("another run holds the lock: \(error)")
            return ExitCode(75)
        default:
            report("error: \(error)")
            return ExitCode(2)
        }
    }

    /// Writes one line to standard error: plain, or as a JSON log line under `--log-format json`,
    /// so a log shipper never meets a line it cannot parse.
    static func report(_ line: String) {
        if LoggingOptions.jsonLines.value {
            JSONLogHandler.write(level: .notice, label: "fpreport", message: line)
        } else {
            FileHandle.standardError.write(Data(("fpreport: " + line + "\n").utf8))
        }
    }
}

/// Runs a job body, turning its errors into exit codes.
func runMapped(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        throw Failure.exitCode(for: error)
    }
}
