import Collector
import FPConfig
import FPModel
import FirstPromoterAPI
import Foundation
import HistoryBackends
import Logging

/// `fpreport check-config`: everything a night needs, checked before the night.
public struct CheckConfigJob: Sendable {
    /// One line of the answer.
    public struct Finding: Sendable, Equatable {
        public var ok: Bool
        public var text: String
    }

    public var config: FPConfiguration
    public var environment: [String: String]

    public init(config: FPConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        self.environment = environment
    }

    /// Accounts, key, folders: what can be checked without the network.
    public func checkLocal() -> [Finding] {
        var findings: [Finding] = []
        let missingVariables = Set(config.accounts.compactMap(\.apiKeyEnv).filter { (environment[$0] ?? "").isEmpty }).sorted()
        findings.append(.init(ok: true, text: "\(config.accounts.count) accounts (\(config.file)\(config.accountsFile.map { " and \($0)" } ?? ""))"))
        do {
            _ = try KeyResolver.provider(for: config, environment: environment)
            let source = config.api.keyFile.map { "key file \($0) (owner-only)" } ?? "environment variable \(config.api.apiKeyEnv)"
            findings.append(.init(ok: true, text: "API key found in \(source)"))
        } catch {
            findings.append(.init(ok: false, text: error.description))
        }
        for variable in missingVariables {
            findings.append(.init(ok: false, text: "environment variable \(variable), named by an account's api_key_env, is not set"))
        }
        // A server's database is checked by connecting (`checkDatabase`), never as a folder.
        if !HistoryDatabases.isServerAddress(config.database) { findings.append(writable(folderOf: config.database, what: "database")) }
        findings.append(writable(folder: config.reports.directory, what: "reports"))
        if let textfile = config.monitoringTextfile { findings.append(writable(folderOf: textfile, what: "monitoring")) }
        findings.append(.init(ok: true, text: "time zone \(config.reports.timezone.reportName)"))
        return findings
    }

    /// For a database server: whether it answers, takes the login, and how its history's schema
    /// stands; nothing is changed. Nothing for a file (`checkLocal` checks its folder).
    public func checkDatabase() async -> [Finding] {
        do {
            guard let (text, current) = try await HistoryDatabases.checkServer(
                config.database, passwordVariable: config.databasePasswordEnv, environment: environment)
            else { return [] }
            return [.init(ok: current, text: "database: \(text)")]
        } catch {
            return [.init(ok: false, text: "database: \(error)")]
        }
    }

    /// One request for up to `sample` accounts; says per account whether the key is accepted.
    public func ping(sample: Int = 5, logger: Logger) async -> [Finding] {
        guard let keys = try? KeyResolver.provider(for: config, environment: environment) else { return [] }
        let http = FirstPromoterClient.makeHTTPClient(connectTimeout: .seconds(10), concurrency: 4)
        let client = FirstPromoterClient(
            configuration: .init(baseURL: config.api.baseURL, requestTimeout: .seconds(Int64(config.api.timeoutSeconds))),
            httpClient: http, logger: logger)
        var findings: [Finding] = []
        for account in config.accounts.prefix(sample) {
            switch keys(account) {
            case .failure(let missing):
                findings.append(.init(ok: false, text: "account \(account.id): \(missing.reason)"))
            case .success(let key):
                do {
                    let batches = try await client.progress(accountID: account.id, apiKey: key, statuses: [.inProgress])
                    findings.append(.init(ok: true, text: "account \(account.id): ok (\(batches.count) in progress)"))
                } catch let error as FirstPromoterAPIError {
                    findings.append(.init(ok: false, text: "account \(account.id): \(error.outcome.rawValue)\(error.httpStatus.map { " (HTTP \($0))" } ?? ""): \(error.detail)"))
                } catch {
                    findings.append(.init(ok: false, text: "account \(account.id): \(error)"))
                }
            }
        }
        try? await http.shutdown()
        return findings
    }

    private func writable(folderOf file: String, what: String) -> Finding {
        writable(folder: URL(fileURLWithPath: file).deletingLastPathComponent().path, what: what, shown: file)
    }

    /// The folder exists (or can be created) and a file can be written in it.
    private func writable(folder: String, what: String, shown: String? = nil) -> Finding {
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let probe = URL(fileURLWithPath: folder).appendingPathComponent(".fpreport-write-check-\(getpid())")
            try Data().write(to: probe)
            try files.removeItem(at: probe)
            return .init(ok: true, text: "\(what): \(shown ?? folder) is writable")
        } catch {
            return .init(ok: false, text: "\(what): \(shown ?? folder) is not writable (\(error.localizedDescription))")
        }
    }
}
