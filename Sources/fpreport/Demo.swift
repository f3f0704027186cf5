import ArgumentParser
import FPModel
import FPReportJobs
import Foundation
import Reports

extension FPReport {
    /// `fpreport demo`: the whole pipeline on the embedded simulator.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate nights of collection on the embedded simulator and write a report.")

        @Option(help: "Simulated accounts.") var accounts = 40
        @Option(help: "Simulated days of history.") var days = 14
        @Option(help: "Seed of the simulated world; the same seed gives the same report.") var seed: UInt64 = 1
        @Option(help: "Report folder.") var out = "Reports"
        @Option(help: "History database, recreated on every demo.") var database = "data/demo-history.sqlite"
        @Option(help: "Formats to write: csv, xlsx, html (comma-separated).", transform: Parse.formats)
        var formats: Set<ReportFormat> = [.csv, .xlsx, .html]
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard (1...100_000).contains(accounts) else { throw ValidationError("--accounts must be from 1 to 100000") }
            guard (1...366).contains(days) else { throw ValidationError("--days must be from 1 to 366") }
        }

        func run() async throws {
            let logger = logging.bootstrap()
            try await runMapped {
                var job = DemoJob(
                    reportsDirectory: URL(fileURLWithPath: out), database: URL(fileURLWithPath: database))
                job.accounts = accounts
                job.days = days
                job.seed = seed
                job.formats = formats
                let progress = ProgressLine(label: "simulated runs")
                let started = Date()
                let outcome = try await job.run(logger: logger, progress: progress.update)
                progress.finish()
                print("Simulated \(days) days × \(job.runsPerDay) runs over \(accounts) accounts into \(database).")
                print("Last run: \(outcome.lastCollection.summaryLine)")
                let latest = URL(fileURLWithPath: out).appendingPathComponent("latest")
                ReportSummary.lines(outcome.published, latest: latest).forEach { print($0) }
                print(String(format: "Done in %.1f s.", Date().timeIntervalSince(started)))
            }
        }
    }
}
