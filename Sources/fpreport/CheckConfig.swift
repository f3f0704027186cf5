import ArgumentParser
import FPModel
import FPReportJobs
import Foundation

extension FPReport {
    /// `fpreport check-config`: validates the configuration, the key and the folders without printing the key.
    struct CheckConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Validate the configuration, accounts, API key, folders and time zone; --ping asks the API.")

        @OptionGroup var config: ConfigOption
        @OptionGroup var logging: LoggingOptions

        @Flag(help: "Make one request for a sample of accounts and report 401/403 per account.")
        var ping = false

        @Option(help: "How many accounts --ping asks.") var sample = 5

        func run() async throws {
            let logger = logging.bootstrap()
            let configuration = try config.load()
            let job = CheckConfigJob(config: configuration)
            var findings = job.checkLocal() + (await job.checkDatabase())
            if ping { findings += await job.ping(sample: sample, logger: logger) }
            for finding in findings { print("\(finding.ok ? "ok  " : "FAIL") \(finding.text)") }
            let failed = findings.filter { !$0.ok }.count
            print(failed == 0 ? "\(config.config): ok" : "\(config.config): \(failed) problem(s)")
            if failed > 0 { throw ExitCode(64) }
        }
    }
}
