import ArgumentParser
import FPReportJobs
import Foundation

extension FPReport {
    /// `fpreport export batches`: the whole batch ledger on standard output.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the whole batch ledger as CSV to standard output.",
            discussion: """
                A night's report lists only that night's batches (open at its end, or changed in it). This \
                lists every batch the history has seen, each once with its latest state, in constant memory. \
                --since and --until keep the batches first seen on those days (report time zone, inclusive).
                """)

        /// What can be exported.
        enum Table: String, ExpressibleByArgument, CaseIterable {
            case batches
        }

        @OptionGroup var config: ConfigOption
        @OptionGroup var logging: LoggingOptions

        @Argument(help: "What to export: batches.") var table: Table

        @Option(help: "Only batches first seen on or after this day (YYYY-MM-DD).", transform: Parse.day) var since: String?
        @Option(help: "Only batches first seen on or before this day (YYYY-MM-DD).", transform: Parse.day) var until: String?

        func run() async throws {
            _ = logging.bootstrap()
            let configuration = try config.load()
            try await runMapped {
                let rows = try await ExportJob(config: configuration, since: since, until: until).run { text in
                    try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
                }
                Failure.report("export: \(rows) batches")
            }
        }
    }
}
