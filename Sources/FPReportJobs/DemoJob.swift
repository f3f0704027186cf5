import APISimulator
import BatchMetrics
import Collector
import FPConfig
import FPModel
import Foundation
import HistoryBackends
import HistoryStore
import Logging
import Reports

/// `fpreport demo`: the embedded simulator, several collections per simulated day, then the report.
///
/// Everything is real but the API: the collector talks HTTP to the simulator on loopback, the
/// history is a SQLite file, the report is published as `nightly` would publish it.
public struct DemoJob: Sendable {
    public var accounts = 40
    public var days = 14
    public var seed: UInt64 = 1
    public var runsPerDay = 4
    public var reportsDirectory: URL
    public var database: URL
    public var timeZone = TimeZone(identifier: "Europe/Berlin")!
    public var formats: Set<ReportFormat> = Set(ReportFormat.allCases)

    /// What the demo produced.
    public struct Outcome: Sendable {
        public var published: ReportJob.Published
        public var runs: Int
        public var lastCollection: CollectionReport
    }

    public init(reportsDirectory: URL, database: URL) {
        self.reportsDirectory = reportsDirectory
        self.database = database
    }

    public func run(logger: Logger, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Outcome {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: database.path + suffix)
        }
        // A fresh key for this process only: nothing to configure, nothing to leak.
        let secret = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 36) }.joined()
        let simulatorConfig = SimulatorConfiguration(accounts: accounts, seed: seed, apiKey: secret)
        let server = try await SimulatorServer.start(configuration: simulatorConfig, logger: logger)
        do {
            let outcome = try await collectAndReport(server: server, secret: secret, logger: logger, progress: progress)
            await server.stop()
            return outcome
        } catch {
            await server.stop()
            throw error
        }
    }

    private func collectAndReport(
        server: SimulatorServer, secret: String, logger: Logger, progress: @escaping @Sendable (Int, Int) -> Void
    ) async throws -> Outcome {
        var config = FPConfiguration(
            file: "(demo)", database: database.path,
            reports: .init(directory: reportsDirectory.path, timezone: timeZone))
        config.api.baseURL = server.baseURL
        config.accounts = server.world.accountIDs.enumerated().map { index, id in
            Account(id: id, name: Self.names[index % Self.names.count] + " \(index / Self.names.count + 1)",
                    manager: Self.managers[index % Self.managers.count])
        }
        let store = try await HistoryDatabases.open(database.path)
        guard let key = APIKey(secret) else { throw ReportError("could not make a demo key") }
        var job = CollectJob(config: config, keys: { _ in .success(key) }, logger: logger)

        // Collections at 03:00, 09:00, 15:00 and 21:00 UTC of every simulated day.
        let start = simulatorConfig(server).start.addingTimeInterval(3 * 3600)
        let step = 86_400.0 / Double(max(1, runsPerDay))
        let total = days * runsPerDay
        var last: CollectionReport?
        for index in 0..<total {
            let asOf = start.addingTimeInterval(Double(index) * step)
            await server.state.set(to: asOf)
            // Run records follow the virtual clock, so "data as of" in the report is simulated time.
            let realStart = Date()
            job.now = { asOf.addingTimeInterval(Date().timeIntervalSince(realStart)) }
            last = try await job.run(asOf: asOf, store: store)
            progress(index + 1, total)
        }
        guard let last else { throw ReportError("the demo needs at least one day") }
        let reportDay = ReportWindow(containing: Date(unixSeconds: last.asOf), timeZone: timeZone).date
        let published = try await ReportJob(config: config, builder: ReportBuilder(formats: formats))
            .run(date: reportDay, store: store)
        return Outcome(published: published, runs: total, lastCollection: last)
    }

    private func simulatorConfig(_ server: SimulatorServer) -> SimulatorConfiguration { server.configuration }

    static let names = ["Acme Affiliates", "Bright Partners", "Cobalt Referrals", "Delta Growth", "Evergreen SaaS",
                        "Fjord Analytics", "Gamma Labs", "Helio Commerce"]
    static let managers = ["Ana Souza", "Ben Okafor", "Chloé Martin", "Dmitri Ivanov"]
}
