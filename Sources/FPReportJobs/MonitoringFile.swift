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

    /// What a run holds while it reads, merges and replaces the file: the folder itself, which
    /// every writer of the file opens alike and which, unlike the file, is not replaced (and no
    /// lock file is left where node_exporter reads).
    var lockPath: String { URL(fileURLWithPath: path).deletingLastPathComponent().path }

    public func write(_ run: Run) throws { try write(run, whileLocked: {}) }

    /// `whileLocked` runs after the file is read and before it is replaced (where tests look at
    /// the lock); another run's lock is waited for `waitSteps` × 10 ms at most.
    func write(_ run: Run, waitSteps: Int = 500, whileLocked: () -> Void) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Runs take turns: a collection that finds the history locked (exit 75) can end at the
        // very moment the nightly does, and without turns one would merge the file as it was
        // before the other's samples and replace them. A turn is waited for 5 s at most: a run's
        // samples are worth more than the order of two writes.
        let lock = open(lockPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer {
            if lock >= 0 {
                flock(lock, LOCK_UN)
                close(lock)
            }
        }
        // Only a lock held by another run is waited for: a folder that cannot be locked at all
        // (some network file systems) is written as before, at once.
        var waited = 0
        while lock >= 0 && waited < waitSteps {
            if flock(lock, LOCK_EX | LOCK_NB) == 0 || (errno != EWOULDBLOCK && errno != EINTR) { break }
            waited += 1
            usleep(10_000)
        }
        let previous = try? String(contentsOfFile: path, encoding: .utf8)
        let lastSuccess = run.exitCode == 0
            ? run.finished.timeIntervalSince1970 : previous.flatMap { Self.lastSuccess(in: $0, job: run.job) }
        // `collect` and `nightly` share the file (the example crontab runs both with one
        // configuration): each keeps the other's samples, or an alert on the nightly's last
        // success would see it vanish at the next collection.
        let text = Self.render(run, lastSuccess: lastSuccess, others: previous.map { Self.otherJobs(in: $0, than: run.job) } ?? [:])
        whileLocked()
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot replace \(path): \(reason)"])
        }
    }

    /// The file's metric families, in the order it lists them, with their help texts.
    static let families: [(name: String, help: String)] = [
        ("last_run_finish_timestamp_seconds", "When the last run ended (Unix time)."),
        ("last_success_timestamp_seconds", "When a run last ended with exit code 0 (Unix time)."),
        ("last_run_exit_code", "Exit code of the last run: 0 ok, 1 some accounts failed, 2 failed, 64 usage, 75 locked."),
        ("last_run_duration_seconds", "How long the last run took."),
        ("last_run_accounts", "Accounts of the last run by outcome."),
        ("last_run_requests", "HTTP requests the last run sent."),
        ("last_run_retries", "Requests of the last run that were retries."),
        ("last_run_rate_limited_responses", "429 answers the last run received."),
    ]

    /// The file for `run`, with `others`' sample lines (by family, see ``otherJobs(in:than:)``)
    /// kept in their families: the text format wants each family's samples under one header.
    static func render(_ run: Run, lastSuccess: Double?, others: [String: [(job: String, lines: [String])]] = [:]) -> String {
        var ours: [String: [(labels: String, value: String)]] = [:]
        ours["last_run_finish_timestamp_seconds"] = [("", seconds(run.finished))]
        if let lastSuccess { ours["last_success_timestamp_seconds"] = [("", String(Int64(lastSuccess)))] }
        ours["last_run_exit_code"] = [("", String(run.exitCode))]
        ours["last_run_duration_seconds"] = [("", String(format: "%.3f", run.finished.timeIntervalSince(run.started)))]
        if let report = run.report {
            ours["last_run_accounts"] = FetchOutcome.allCases.map { (",outcome=\"\($0.rawValue)\"", String(report.outcomes[$0] ?? 0)) }
            ours["last_run_requests"] = [("", String(report.totals.requests))]
            ours["last_run_retries"] = [("", String(report.totals.retries))]
            ours["last_run_rate_limited_responses"] = [("", String(report.totals.rateLimited))]
        }
        var out = ""
        for (name, help) in families {
            let mine = (ours[name] ?? []).map { "fpreport_\(name){job=\"\(run.job)\"\($0.labels)} \($0.value)" }
            // Every job's samples, jobs in name order, so the file's bytes do not depend on which ran last.
            let jobs = ((others[name] ?? []) + (mine.isEmpty ? [] : [(job: run.job, lines: mine)])).sorted { $0.job < $1.job }
            guard !jobs.isEmpty else { continue }
            out += "# HELP fpreport_\(name) \(help)\n# TYPE fpreport_\(name) gauge\n"
            for job in jobs { out += job.lines.map { $0 + "\n" }.joined() }
        }
        return out
    }

    /// The sample lines of jobs other than `job` in a file this type wrote, by family and job;
    /// lines of families it does not write (or not in its shape) are dropped.
    static func otherJobs(in text: String, than job: String) -> [String: [(job: String, lines: [String])]] {
        let known = Set(families.map(\.name))
        var kept: [String: [(job: String, lines: [String])]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("fpreport_") {
            guard let brace = line.firstIndex(of: "{") else { continue }
            let name = String(line[line.index(line.startIndex, offsetBy: "fpreport_".count)..<brace])
            let labels = line[line.index(after: brace)...]
            guard known.contains(name), labels.hasPrefix("job=\""),
                  let end = labels.dropFirst("job=\"".count).firstIndex(of: "\"") else { continue }
            let other = String(labels[labels.index(labels.startIndex, offsetBy: "job=\"".count)..<end])
            guard other != job else { continue }
            if let index = kept[name, default: []].firstIndex(where: { $0.job == other }) {
                kept[name]![index].lines.append(String(line))
            } else {
                kept[name, default: []].append((job: other, lines: [String(line)]))
            }
        }
        return kept
    }

    private static func seconds(_ date: Date) -> String { String(Int64(date.timeIntervalSince1970.rounded(.down))) }

    /// The last success time a previous file gave `job`.
    static func lastSuccess(in text: String, job: String) -> Double? {
        let prefix = "fpreport_last_success_timestamp_seconds{job=\"\(job)\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }
}
