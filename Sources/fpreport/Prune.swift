import ArgumentParser
import FPModel
import FPReportJobs
import Foundation

extension FPReport {
    /// `fpreport prune`: keeps the history and the report folder from growing without bound.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete history older than N days, and report folders beyond reports.keep_nights.",
            discussion: "Never removes what the newest published report needs, nor the night `latest` points to.")

        @OptionGroup var config: ConfigOption
        @OptionGroup var logging: LoggingOptions

        @Option(help: "Days of history to keep.", transform: Parse.count(atLeast: 1)) var keepDays: Int
        @Flag(help: "Print what would be removed without removing it.") var dryRun = false

        func run() async throws {
            _ = logging.bootstrap()
            let configuration = try config.load()
            try await runMapped {
                let outcome = try await PruneJob(config: configuration, keepDays: keepDays, dryRun: dryRun).run()
                let verb = dryRun ? "would remove" : "removed"
                let cutoff = ISO8601.format(Date(unixSeconds: outcome.cutoff), in: configuration.reports.timezone)
                print("history before \(cutoff): \(verb) \(outcome.history.events) events, \(outcome.history.statusCounts) status counts, \(outcome.history.fetches) fetches, \(outcome.history.runs) runs")
                print("report folders: \(verb) \(outcome.reportFolders.count)\(outcome.reportFolders.isEmpty ? "" : ": " + outcome.reportFolders.joined(separator: ", "))")
            }
        }
    }
}
