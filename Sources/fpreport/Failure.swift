import ArgumentParser
import FPConfig
import Foundation
import Collector
import FPReportJobs
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

/// Runs a collecting job's body like ``runMapped(_:)`` and then, with `monitoring.textfile` set,
/// leaves its outcome there, whatever the exit code (a monitoring file that cannot be written is
/// said on stderr; it does not change the night's exit code).
func runMonitored(
    _ config: FPConfiguration, job: String, _ body: (_ collected: inout CollectionReport?) async throws -> Void
) async throws {
    let started = Date()
    var report: CollectionReport?
    var exitCode: Int32 = 0
    defer {
        if let path = config.monitoringTextfile {
            do {
                try MonitoringFile(path: path).write(.init(job: job, exitCode: exitCode, started: started, finished: Date(), report: report))
            } catch {
                Failure.report("warning: cannot write the monitoring file: \(error)")
            }
        }
    }
    do {
        try await runMapped { try await body(&report) }
    } catch let code as ExitCode {
        exitCode = code.rawValue
        throw code
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
