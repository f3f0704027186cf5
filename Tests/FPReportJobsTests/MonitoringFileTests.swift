import Collector
import FPModel
import FPTestSupport
import Foundation
import HistoryStore
import Testing

@testable import FPReportJobs

/// `collect` and `nightly` write one textfile when they share a configuration (as the example
/// crontab has them): each keeps the other's samples, under one header per family.
@Suite struct MonitoringFileTests {
    func run(_ job: String, exit: Int32, at finished: Int64, requests: Int = 10) -> MonitoringFile.Run {
        var totals = RunTotals()
        totals.requests = requests
        let report = CollectionReport(
            runID: 1, asOf: finished, totals: totals, outcomes: [.ok: 3], failures: [], latencyP50Millis: nil,
            latencyP95Millis: nil, seconds: 1, aborted: false)
        return MonitoringFile.Run(
            job: job, exitCode: exit, started: Date(unixSeconds: finished - 60), finished: Date(unixSeconds: finished), report: report)
    }

    /// `name{labels}` → value, and how many HELP lines each family has.
    func read(_ path: String) throws -> (samples: [String: String], helps: [String: Int]) {
        var samples: [String: String] = [:]
        var helps: [String: Int] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("# HELP ") { helps[String(line.split(separator: " ")[2]), default: 0] += 1 }
            if line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ")
            samples[String(parts[0])] = String(parts[1])
        }
        return (samples, helps)
    }

    @Test func eachJobKeepsTheOthersSamples() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = MonitoringFile(path: folder.path("fpreport.prom"))
        try file.write(run("nightly", exit: 0, at: 1_000))
        try file.write(run("collect", exit: 0, at: 2_000, requests: 7))
        // The collection after the nightly: the nightly's success is still there for the alert.
        var (samples, helps) = try read(file.path)
        #expect(samples["fpreport_last_success_timestamp_seconds{job=\"nightly\"}"] == "1000")
        #expect(samples["fpreport_last_run_exit_code{job=\"nightly\"}"] == "0")
        #expect(samples["fpreport_last_success_timestamp_seconds{job=\"collect\"}"] == "2000")
        #expect(samples["fpreport_last_run_requests{job=\"collect\"}"] == "7")
        #expect(samples["fpreport_last_run_requests{job=\"nightly\"}"] == "10")
        #expect(helps.values.allSatisfy { $0 == 1 } && helps.count == MonitoringFile.families.count, "\(helps)")

        // A failed nightly replaces its own samples only, and keeps its last success.
        try file.write(run("nightly", exit: 2, at: 3_000))
        (samples, helps) = try read(file.path)
        #expect(samples["fpreport_last_run_exit_code{job=\"nightly\"}"] == "2")
        #expect(samples["fpreport_last_success_timestamp_seconds{job=\"nightly\"}"] == "1000")
        #expect(samples["fpreport_last_run_finish_timestamp_seconds{job=\"nightly\"}"] == "3000")
        #expect(samples["fpreport_last_success_timestamp_seconds{job=\"collect\"}"] == "2000")
        #expect(samples.filter { $0.key.contains("job=\"nightly\"") }.count == samples.filter { $0.key.contains("job=\"collect\"") }.count)
        #expect(helps.values.allSatisfy { $0 == 1 })
    }

    /// Two runs ending at once (a locked-out collection and the nightly) take turns: the file is
    /// read, merged and replaced under a lock, so neither merges a file the other is replacing.
    @Test func aRunReadsMergesAndReplacesTheFileUnderALock() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = MonitoringFile(path: folder.path("fpreport.prom"))
        try file.write(run("nightly", exit: 0, at: 1_000))
        var othersLockedOut = false
        try file.write(run("collect", exit: 75, at: 2_000), whileLocked: {
            // Another process's attempt, as a second open file description: refused while this run holds it.
            let other = open(file.lockPath, O_RDONLY | O_DIRECTORY)
            defer { close(other) }
            othersLockedOut = other >= 0 && flock(other, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
        })
        #expect(othersLockedOut)
        // Released after: the next run takes it at once.
        let next = open(file.lockPath, O_RDONLY | O_DIRECTORY)
        defer { close(next) }
        #expect(flock(next, LOCK_EX | LOCK_NB) == 0)
        let samples = try read(file.path).samples
        #expect(samples["fpreport_last_success_timestamp_seconds{job=\"nightly\"}"] == "1000")
        #expect(samples["fpreport_last_run_exit_code{job=\"collect\"}"] == "75")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["fpreport.prom"])
    }

    /// A run that finds the lock held for good (a hung process) waits its time, then writes:
    /// its samples are not lost to a lock.
    @Test func aLockHeldForGoodDelaysARunButDoesNotLoseIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = MonitoringFile(path: folder.path("fpreport.prom"))
        let holder = open(file.lockPath, O_RDONLY | O_DIRECTORY)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX | LOCK_NB) == 0)
        var ranLocked = false
        try file.write(run("nightly", exit: 0, at: 1_000), waitSteps: 3, whileLocked: { ranLocked = true })
        #expect(ranLocked)
        #expect(try read(file.path).samples["fpreport_last_success_timestamp_seconds{job=\"nightly\"}"] == "1000")
    }

    @Test func theFileDoesNotDependOnWhichJobRanLast() throws {
        let collect = run("collect", exit: 0, at: 2_000)
        let nightly = run("nightly", exit: 1, at: 1_000)
        let afterCollect = MonitoringFile.render(
            collect, lastSuccess: 2_000, others: MonitoringFile.otherJobs(in: MonitoringFile.render(nightly, lastSuccess: 900), than: "collect"))
        let afterNightly = MonitoringFile.render(
            nightly, lastSuccess: 900, others: MonitoringFile.otherJobs(in: MonitoringFile.render(collect, lastSuccess: 2_000), than: "nightly"))
        #expect(afterCollect == afterNightly)
    }

    @Test func linesItDoesNotWriteAreDropped() {
        let kept = MonitoringFile.otherJobs(in: """
            # HELP something else
            node_load1 0.5
            fpreport_unknown_metric{job="nightly"} 1
            fpreport_last_run_exit_code{outcome="x"} 3
            fpreport_last_run_exit_code{job="nightly"} 0
            fpreport_last_run_exit_code{job="collect"} 2
            """, than: "collect")
        #expect(kept.keys.sorted() == ["last_run_exit_code"])
        #expect(kept["last_run_exit_code"]?.map(\.job) == ["nightly"])
        #expect(kept["last_run_exit_code"]?.first?.lines == ["fpreport_last_run_exit_code{job=\"nightly\"} 0"])
    }
}
