import ArgumentParser
import Collector
import FPModel
import FPReportJobs
import Foundation

extension FPReport {
    /// `fpreport collect`: one collection run into the history.
    struct Collect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Collect every account's batch progress once into the history.")

        @OptionGroup var config: ConfigOption
        @OptionGroup var logging: LoggingOptions

        @Option(help: "Observation time (ISO 8601, e.g. 2026-11-28T03:00:00Z); defaults to now.", transform: Parse.instant)
        var asOf: Date?

        @OptionGroup var collection: CollectionOptions

        @Flag(help: "Collect even when another process holds the run lock (only for a run you know is hung).")
        var force = false

        func run() async throws {
            let logger = logging.bootstrap()
            let configuration = try config.load()
            try await runMonitored(configuration, job: "collect") { collected in
                var job = CollectJob(config: configuration, keys: try KeyResolver.provider(for: configuration), logger: logger)
                job.force = force
                let progress = ProgressLine(label: "collect")
                let report = try await job.run(asOf: asOf, progress: progress.update)
                collected = report
                progress.finish()
                try CollectionOutput(report: report, json: collection.json, maxFailed: collection.maxFailed).emit()
            }
        }
    }
}

/// The summary line, the failing accounts, `--json`, and the exit code of a collection.
struct CollectionOutput {
    let report: CollectionReport
    let json: Bool
    let maxFailed: Int

    func emit() throws {
        for failure in report.failures.prefix(20) {
            Failure.report("account \(failure.accountID): \(failure.outcome.rawValue): \(failure.detail)")
        }
        if report.failures.count > 20 { Failure.report("… and \(report.failures.count - 20) more failed accounts") }
        if !report.unhealthyAccounts.isEmpty {
            let names = report.unhealthyAccounts.prefix(20).joined(separator: ", ") + (report.unhealthyAccounts.count > 20 ? ", …" : "")
            Failure.report("\(report.unhealthyAccounts.count) account(s) with no success for 2 runs or more: \(names)")
        }
        Failure.report(report.summaryLine)
        if json { print(jsonSummary()) }
        let failed = report.totals.accountsFailed
        if report.totals.accountsTotal > 0 && failed == report.totals.accountsTotal { throw ExitCode(2) }
        if failed > maxFailed { throw ExitCode(1) }
    }

    func jsonSummary() -> String {
        var outcomes: [String: Int] = [:]
        for (outcome, count) in report.outcomes { outcomes[outcome.rawValue] = count }
        let summary = JSONSummary(
            run_id: report.runID, as_of: ISO8601.format(Date(unixSeconds: report.asOf), in: .gmt),
            accounts: report.totals.accountsTotal, ok: report.totals.accountsOK, failed: report.totals.accountsFailed,
            outcomes: outcomes, requests: report.totals.requests, retries: report.totals.retries,
            rate_limited: report.totals.rateLimited, events: report.totals.eventsWritten,
            latency_p50_ms: report.latencyP50Millis, latency_p95_ms: report.latencyP95Millis,
            seconds: (report.seconds * 1000).rounded() / 1000,
            failures: report.failures.map { .init(account: $0.accountID, outcome: $0.outcome.rawValue, detail: $0.detail) },
            unhealthy_accounts: report.unhealthyAccounts)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(summary)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    // Field names are the JSON keys.
    struct JSONSummary: Encodable {
        struct FailureEntry: Encodable { var account: String; var outcome: String; var detail: String }
        var run_id: Int64
        var as_of: String
        var accounts: Int
        var ok: Int
        var failed: Int
        var outcomes: [String: Int]
        var requests: Int
        var retries: Int
        var rate_limited: Int
        var events: Int
        var latency_p50_ms: Int?
        var latency_p95_ms: Int?
        var seconds: Double
        var failures: [FailureEntry]
        var unhealthy_accounts: [String]
    }
}
