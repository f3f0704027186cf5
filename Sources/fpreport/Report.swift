import ArgumentParser
import FPReportJobs
import Foundation
import Reports

extension FPReport {
    /// `fpreport report`: publishes one night's report from the history.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the report of one night from the history.")

        @OptionGroup var config: ConfigOption
        @OptionGroup var logging: LoggingOptions

        @Option(help: "The night to report (YYYY-MM-DD in the report time zone); defaults to the day of the latest run.",
                transform: Parse.day)
        var asOf: String?

        @OptionGroup var output: ReportFormatOptions

        func run() async throws {
            _ = logging.bootstrap()
            let configuration = try config.load()
            try await runMapped {
                let builder = output.builder
                let building = ProgressLine(label: "report")
                let published = try await ReportJob(config: configuration, builder: builder)
                    .run(date: asOf, progress: building.update)
                building.finish()
                ReportSummary.lines(published, latest: nil).forEach { print($0) }
            }
        }
    }
}
