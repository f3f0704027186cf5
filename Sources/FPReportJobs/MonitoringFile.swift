import Collector
import FPModel
import Foundation

/// The Prometheus text-format file `collect` and `nightly` leave for node_exporter's textfile
/// collector (`monitoring.textfile`): how the last run went, so that a nightly that stops or
/// degrades raises an alert in the monitoring people already run.
///
/// Written whole to a temporary file beside it and renamed over it, so the collector never
/// reads half a file. The last success time survives failed runs: it is read back from the
/// file the previous run left.
public struct MonitoringFile: Sendable {
    public var path: String

    public init(path: String) { self.path = path }

    /// What one run leaves. `report` is nil when the run ended before collecting (bad key file,
    /// lock held, store unusable); `exitCode` is the process's.
    public struct Run: Sendable {
        public var job: String
        public var exitCode: Int32
        public var started: Date
        public var finished: Date
        public var report: CollectionReport?

        public init(job: String, exitCode: Int32, started: Date, finished: Date, report: CollectionReport?) {
            self.job = job
            self.exitCode = exitCode
            self.started = started
            self.finished = finished
            self.report = report
        }
    }

    public func write(_ run: Run) throws {
        let previous = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Self.lastSuccess(in: $0, job: run.job) }
        let text = Self.render(run, lastSuccess: run.exitCode == 0 ? run.finished.timeIntervalSince1970 : previous)
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot replace \(path): \(reason)"])
        }
    }

    static func render(_ run: Run, lastSuccess: Double?) -> String {
        let job = "job=\"\(run.job)\""
        var out = ""
        func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP fpreport_\(name) \(help)\n# TYPE fpreport_\(name) gauge\n"
            for sample in samples { out += "fpreport_\(name){\(job)\(sample.labels)} \(sample.value)\n" }
        }
        metric("last_run_finish_timestamp_seconds", "When the last run ended (Unix time).", [("", seconds(run.finished))])
        if let lastSuccess {
            metric("last_success_timestamp_seconds", "When a run last ended with exit code 0 (Unix time).", [("", String(Int64(lastSuccess)))])
        }
        metric("last_run_exit_code", "Exit code of the last run: 0 ok, 1 some accounts failed, 2 failed, 64 usage, 75 locked.",
               [("", String(run.exitCode))])
        metric("last_run_duration_seconds", "How long the last run took.",
               [("", String(format: "%.3f", run.finished.timeIntervalSince(run.started)))])
        if let report = run.report {
            metric("last_run_accounts", "Accounts of the last run by outcome.",
                   FetchOutcome.allCases.map { (",outcome=\"\($0.rawValue)\"", String(report.outcomes[$0] ?? 0)) })
            metric("last_run_requests", "HTTP requests the last run sent.", [("", String(report.totals.requests))])
            metric("last_run_retries", "Requests of the last run that were retries.", [("", String(report.totals.retries))])
            metric("last_run_rate_limited_responses", "429 answers the last run received.", [("", String(report.totals.rateLimited))])
        }
        return out
    }

    private static func seconds(_ date: Date) -> String { String(Int64(date.timeIntervalSince1970.rounded(.down))) }

    /// The last success time a previous file gave `job`.
    static func lastSuccess(in text: String, job: String) -> Double? {
        let prefix = "fpreport_last_success_timestamp_seconds{job=\"\(job)\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }
}
