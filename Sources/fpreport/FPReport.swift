import ArgumentParser
import FPReportJobs

/// The `fpreport` command: each subcommand parses its options and calls one job.
@main
struct FPReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fpreport",
        abstract: "Nightly throughput and failure-rate reports for FirstPromoter batch processes.",
        discussion: """
            Exit codes: 0 all good; 1 some accounts failed (over --max-failed); 2 every account failed \
            or the run could not complete; 64 bad usage or configuration; 75 another run holds the lock.
            """,
        version: FPReportVersion.current,
        subcommands: [Demo.self, Simulate.self, Collect.self, Report.self, Nightly.self, CheckConfig.self, Prune.self, Export.self, MigrateHistory.self]
    )
}
