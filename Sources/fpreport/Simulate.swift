import APISimulator
import ArgumentParser
import FPConfig
import Foundation

extension FPReport {
    /// `fpreport simulate`: serves the simulated API for manual use.
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the simulated FirstPromoter API on loopback.",
            discussion: """
                GET /api/v2/company/batch_processes/progress answers as the real API. The virtual clock: \
                GET /_simulator/clock, POST /_simulator/clock?advance=SECONDS or ?set=ISO8601. \
                Counters: GET /_simulator/stats.
                """)

        @Option(help: "Address to listen on (loopback only).") var host = "127.0.0.1"
        @Option(help: "Port to listen on (0 picks a free one).") var port = 8787
        @Option(help: "Simulated accounts, acc-0001 … acc-NNNN.") var accounts = 50
        @Option(help: "Seed of the simulated world.") var seed: UInt64 = 1
        @Option(help: "Environment variable holding the accepted API key (test-key when unset).")
        var apiKeyEnv = "FIRSTPROMOTER_API_KEY"
        @Option(help: "Faults to inject: none, flaky, ratelimit, slow, hostile, outage.")
        var faultProfile: FaultProfile = .none
        @Option(help: "Latency added to every answer, in milliseconds.")
        var latencyMs = 0
        @Option(help: "An account that answers 401 whatever the key (repeatable).")
        var unauthorized: [String] = []
        @Option(help: "An account that answers 403 (repeatable).")
        var forbidden: [String] = []
        @Option(help: "Virtual seconds per real second (the world moves while a client collects); 0 freezes the clock.")
        var speed = 60.0
        @Flag(inversion: .prefixedNo, help: "Batches that go missing and come back, and completions first reported failed.")
        var churn = true
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard Loopback.contains(host) else {
                throw ValidationError("--host must be a loopback address; the simulator is not meant to be reachable from a network")
            }
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
            guard (1...100_000).contains(accounts) else { throw ValidationError("--accounts must be from 1 to 100000") }
            guard (0...600_000).contains(latencyMs) else { throw ValidationError("--latency-ms must be from 0 to 600000") }
            guard (0...86_400).contains(speed) else { throw ValidationError("--speed must be from 0 to 86400") }
        }

        func run() async throws {
            let logger = logging.bootstrap()
            var key = ProcessInfo.processInfo.environment[apiKeyEnv] ?? ""
            if key.isEmpty {
                key = "test-key"
                FileHandle.standardError.write(Data("fpreport: \(apiKeyEnv) is not set; accepting the key \"test-key\"\n".utf8))
            }
            let server = try await SimulatorServer.start(
                configuration: SimulatorConfiguration(
                    accounts: accounts, seed: seed, apiKey: key, faults: faultProfile,
                    unauthorizedAccounts: Set(unauthorized), forbiddenAccounts: Set(forbidden), latencyMillis: latencyMs,
                    churn: churn),
                host: host, port: port, logger: logger)
            await server.state.run(speed: speed)
            // Written unbuffered so a script reading the first line gets it at once.
            FileHandle.standardOutput.write(Data((server.baseURL.absoluteString + "\n").utf8))
            try await server.waitUntilStopped()
        }
    }
}

extension FaultProfile: ExpressibleByArgument {}
