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

        @Option(help: "Rebuild this past night (YYYY-MM-DD) from the history instead of collecting.", transform: Parse.day)
        var asOf: String?
        @OptionGroup var collection: CollectionOptions
        @OptionGroup var output: ReportFormatOptions

        func run() async throws {
            let logger = logging.bootstrap()
            let configuration = try config.load()
            try await runMonitored(configuration, job: "nightly") { collected in
                let collect = CollectJob(config: configuration, keys: try KeyResolver.provider(for: configuration), logger: logger)
                var job = NightlyJob(collect: collect, builder: output.builder)
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
                        try CollectionOutput(report: collection, json: self.collection.json, maxFailed: self.collection.maxFailed).emit()
                    }
                } catch NightlyError.reportFailed(let collection, let underlying) {
                    collected = collection
                    progress.finish()
                    if let collection { try? CollectionOutput(report: collection, json: self.collection.json, maxFailed: .max).emit() }
                    Failure.report("error: the report could not be built: \(underlying)")
                    throw ExitCode(2)
                }
            }
        }
    }
}
