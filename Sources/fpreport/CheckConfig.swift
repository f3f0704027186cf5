import ArgumentParser
import FPModel
import FPReportJobs
import Foundation

extension FPReport {
    /// `fpreport check-config`: validates the configuration and the key without using it.
    struct CheckConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config", abstract: "Validate the configuration, the accounts and the API key's presence.")

        @OptionGroup var config: ConfigOption
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            _ = logging.bootstrap()
            let configuration = try config.load()
            try await runMapped {
                _ = try KeyResolver.provider(for: configuration)
                print("\(config.config): ok: \(configuration.accounts.count) accounts, database \(configuration.database), reports \(configuration.reports.directory) (\(configuration.reports.timezone.reportName))")
            }
        }
    }
}
