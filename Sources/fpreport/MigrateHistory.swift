import ArgumentParser
import FPReportJobs
import Foundation

extension FPReport {
    /// `fpreport migrate-history`: moves a SQLite history into PostgreSQL.
    struct MigrateHistory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate-history",
            abstract: "Copy the SQLite history the configuration names into a PostgreSQL database.",
            discussion: """
                Run by run, resumable (run it again after an interruption), with the row counts of every table checked at \
                the end. The password comes from the environment variable named by database_password_env (default \
                PGPASSWORD), never from the address. Then set database: to the address.
                """)

        @OptionGroup var config: ConfigOption
        @OptionGroup var logging: LoggingOptions

        @Option(help: "The PostgreSQL address to copy into: postgresql://USER@HOST:PORT/DBNAME.") var to: String

        func run() async throws {
            _ = logging.bootstrap()
            let configuration = try config.load()
            try await runMapped {
                let outcome = try await MigrateHistoryJob(config: configuration, target: to).run()
                let rows = outcome.rows.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                print("copied \(outcome.copiedRuns) run(s) (\(outcome.skippedRuns) already there) and \(outcome.batches) batches; both hold \(rows)")
            }
        }
    }
}
