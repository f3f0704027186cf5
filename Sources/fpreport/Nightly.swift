import ArgumentParser
import BatchMetrics
import FPModel
import FPReportJobs
import Foundation
import Reports

extension FPReport {
    /// `fpreport nightly`: what cron runs.
    struct Nightly: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Collect, then report and publish the day that just ended (what cron or a systemd timer runs).",
            discussion: "Exit code: the collection's (0, 1, 2), or 2 when the report could not be built; 75 when another run holds the lock.")

        @OptionGroup var config: ConfigOption
        @OptionGroup var logging: LoggingOptions

        @Option(help: "Rebuild this past night (YYYY-MM-DD) from the history instead of collecting.")
        var asOf: String?
        @Option(help: "Accounts allowed to fail before the exit code is 1.")
        var maxFailed = 0
        @Option(help: "Formats to write: csv, xlsx, html (comma-separated).")
        var formats = "csv,xlsx,html"
        @Flag(help: "Start CSV files with a UTF-8 byte-order mark (for older Excel).")
        var csvBom = false
        @Flag(help: "Print a machine-readable summary of the collection on standard output.")
        var json = false

        func validate() throws {
            _ = try FormatList.parse(formats)
            if let asOf, ReportWindow(date: asOf, timeZone: .gmt) == nil {
                throw ValidationError("--as-of must be a calendar date YYYY-MM-DD, got \"\(asOf)\"")
            }
        }

        func run() async throws {
            let logger = logging.bootstrap()
            let configuration = try config.load()
            try await runMonitored(configuration, job: "nightly") { collected in
                let collect = CollectJob(config: configuration, keys: try KeyResolver.provider(for: configuration), logger: logger)
                var job = NightlyJob(
                    collect: collect, builder: ReportBuilder(formats: try FormatList.parse(formats), csvByteOrderMark: csvBom))
                job.now = { Date() }
                let progress = ProgressLine(label: "collect")
                let building = ProgressLine(label: "report")
                do {
                    let outcome = try await job.run(date: asOf, progress: progress.update, reportProgress: { done, total in
                        progress.finish()
                        building.update(done: done, total: total)
                    })
                    progress.finish()
                    building.finish()
                    collected = outcome.collection
                    Failure.report("published \(outcome.published.folder.path) (\(outcome.published.files.count) files)")
                    if let collection = outcome.collection {
                        try CollectionOutput(report: collection, json: json, maxFailed: maxFailed).emit()
                    }
                } catch NightlyError.reportFailed(let collection, let underlying) {
                    collected = collection
                    progress.finish()
                    if let collection { try? CollectionOutput(report: collection, json: json, maxFailed: .max).emit() }
                    Failure.report("error: the report could not be built: \(underlying)")
                    throw ExitCode(2)
                }
            }
        }
    }
}
