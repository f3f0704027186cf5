import FPConfig
import FPModel
import FPReportJobs
import FPTestSupport
import Foundation
import HistoryStore
import SQLiteHistory
import Logging
import Reports
import Testing

/// The demo job end to end, and the report's reproducibility.
@Suite struct DemoAndReportTests {
    func demo(in folder: TemporaryDirectory, accounts: Int = 12, days: Int = 3) async throws -> DemoJob.Outcome {
        var job = DemoJob(reportsDirectory: folder.url.appendingPathComponent("Reports"), database: folder.url.appendingPathComponent("data/demo.sqlite"))
        job.accounts = accounts
        job.days = days
        return try await job.run(logger: Logger(label: "test"))
    }

    @Test func demoCollectsEveryNightAndPublishesTheReport() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let outcome = try await demo(in: folder)

        #expect(outcome.runs == 12)
        #expect(outcome.lastCollection.totals.accountsOK == 12)
        #expect(outcome.published.window.date == "2026-11-03")
        let files = outcome.published.files
        for expected in ["csv/accounts.csv", "csv/statuses.csv", "csv/summary.csv", "index.html", "report.xlsx", "managers/ana-souza-b69p.xlsx"] {
            #expect(files.contains(expected), "\(expected)")
        }
        #expect(files.filter { $0.hasPrefix("accounts/") && $0.hasSuffix(".html") }.count == 12)
        #expect(FileManager.default.fileExists(atPath: folder.path("Reports/index.html")))
        let accounts = try String(contentsOfFile: folder.path("Reports/latest/csv/accounts.csv"), encoding: .utf8)
        let lines = accounts.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 13)
        #expect(lines[0].hasPrefix("date,account_id,account_name,manager,pending,in_progress,completed,failed,stopped,"))
        #expect(lines[1].hasPrefix("2026-11-03,acc-0001,Acme Affiliates 1,Ana Souza,"))
        let statuses = try String(contentsOfFile: folder.path("Reports/2026-11-03/csv/statuses.csv"), encoding: .utf8)
        #expect(statuses.hasPrefix("date,status,batches_at_end,entered_in_window\r\n2026-11-03,pending,"))
    }

    @Test func theSameHistoryAndDateGiveTheSameBytes() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try await demo(in: folder)
        var config = FPConfiguration(
            file: "(test)", database: folder.path("data/demo.sqlite"),
            reports: .init(directory: folder.path("again"), timezone: TimeZone(identifier: "Europe/Berlin")!))
        config.accounts = [Account(id: "acc-0001")]
        let store = try SQLiteHistoryStore(path: config.database)
        let first = try await ReportJob(config: config).run(date: "2026-11-02", store: store)
        let firstBytes = try first.files.map { try Data(contentsOf: first.folder.appendingPathComponent($0)) }
        let second = try await ReportJob(config: config).run(date: "2026-11-02", store: store)
        let secondBytes = try second.files.map { try Data(contentsOf: second.folder.appendingPathComponent($0)) }
        #expect(first.files == second.files)
        #expect(firstBytes == secondBytes)
        #expect(firstBytes.allSatisfy { !$0.isEmpty })
        #expect(first.files.contains("report.xlsx"))
    }

    @Test func reportRefusesAMalformedDate() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = FPConfiguration(file: "(test)", database: folder.path("h.sqlite"), reports: .init(directory: folder.path("R")))
        let error = await #expect(throws: ConfigError.self) { try await ReportJob(config: config).run(date: "2026-02-30") }
        #expect(error?.description == "--as-of: expected a calendar date YYYY-MM-DD, got \"2026-02-30\"")
    }
}

@Suite struct KeyResolverTests {
    func config(keyFile: String? = nil, accounts: [Account] = [Account(id: "a")]) -> FPConfiguration {
        var config = FPConfiguration(file: "/x/fpreport.yaml", database: "/x/h.sqlite", reports: .init(directory: "/x/R"))
        config.api.keyFile = keyFile
        config.accounts = accounts
        return config
    }

    @Test func theDefaultVariableMustBeSet() {
        let error = #expect(throws: ConfigError.self) { _ = try KeyResolver.provider(for: config(), environment: [:]) }
        #expect(error?.description == "/x/fpreport.yaml: api.api_key_env: the environment variable FIRSTPROMOTER_API_KEY is not set (or empty); export the API key in it, or set api.key_file")
    }

    @Test func perAccountVariablesFailOnlyTheirAccount() throws {
        let accounts = [Account(id: "a"), Account(id: "b", apiKeyEnv: "B_KEY"), Account(id: "c", apiKeyEnv: "C_KEY")]
        let provider = try KeyResolver.provider(
            for: config(accounts: accounts), environment: ["FIRSTPROMOTER_API_KEY": "k1", "B_KEY": "k2"])
        #expect(try provider(accounts[0]).get().withAuthorizationHeader { $0 } == "Bearer k1")
        #expect(try provider(accounts[1]).get().withAuthorizationHeader { $0 } == "Bearer k2")
        guard case .failure(let missing) = provider(accounts[2]) else {
            Issue.record("expected no key for c")
            return
        }
        #expect(missing.reason == "environment variable C_KEY, named by this account's api_key_env, is not set")
    }

    @Test func keyFilesMustBeOwnerOnly() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try folder.write("sk_from_file\n", to: "key")
        chmod(path, 0o644)
        let error = #expect(throws: ConfigError.self) { _ = try KeyResolver.provider(for: config(keyFile: path), environment: [:]) }
        #expect(error?.description == "\(path): api.key_file: the key file is readable by group or others (mode 644); run chmod 600 on it")
        chmod(path, 0o600)
        let provider = try KeyResolver.provider(for: config(keyFile: path), environment: [:])
        #expect(try provider(Account(id: "a")).get().withAuthorizationHeader { $0 } == "Bearer sk_from_file")
    }
}
