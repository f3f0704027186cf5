import FPModel
import Foundation
import Yams

/// Reads `fpreport.yaml` (and the accounts CSV it names) strictly: unknown keys, wrong types and
/// duplicate accounts are errors that name the file, line and key.
public enum ConfigLoader {
    /// Loads and validates the configuration at `path`.
    public static func load(path: String) throws(ConfigError) -> FPConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, "cannot read the configuration file (\(Self.reason(error)))")
        }
        return try parse(text, file: path)
    }

    /// Validates configuration `text` as if read from `file` (relative paths resolve against its folder).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> FPConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw syntaxError(error, file: file)
        }
        guard let root else { throw ConfigError(file: file, "the file is empty; see config/fpreport.example.yaml") }
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        let reader = NodeReader(file: file)

        let top = try reader.mapping(root, key: nil, allowed: [
            "api", "database", "database_password_env", "shared_run", "reports", "metrics", "monitoring", "accounts", "accounts_file",
        ])
        var config = FPConfiguration(
            file: file,
            database: folder.appendingPathComponent("data/history.sqlite").standardizedFileURL.path,
            reports: .init(directory: folder.appendingPathComponent("Reports").standardizedFileURL.path))

        if let api = top["api"] {
            let keys = try reader.mapping(api, key: "api", allowed: [
                "base_url", "api_key_env", "key_file", "concurrency", "timeout_seconds", "connect_timeout_seconds",
                "requests_per_minute_per_account", "max_attempts", "account_deadline_seconds", "run_deadline_seconds",
                "max_body_bytes",
            ])
            if let node = keys["base_url"] { config.api.baseURL = try reader.baseURL(node, key: "api.base_url") }
            if let node = keys["api_key_env"] { config.api.apiKeyEnv = try reader.variableName(node, key: "api.api_key_env") }
            if let node = keys["key_file"] {
                config.api.keyFile = resolve(try reader.string(node, key: "api.key_file"), in: folder)
            }
            if let node = keys["concurrency"] { config.api.concurrency = try reader.int(node, key: "api.concurrency", 1...256) }
            if let node = keys["timeout_seconds"] {
                config.api.timeoutSeconds = try reader.number(node, key: "api.timeout_seconds", 1...600)
            }
            if let node = keys["connect_timeout_seconds"] {
                config.api.connectTimeoutSeconds = try reader.number(node, key: "api.connect_timeout_seconds", 1...120)
            }
            if let node = keys["requests_per_minute_per_account"] {
                config.api.requestsPerMinutePerAccount = try reader.int(
                    node, key: "api.requests_per_minute_per_account", 1...400)
            }
            if let node = keys["max_attempts"] { config.api.maxAttempts = try reader.int(node, key: "api.max_attempts", 1...10) }
            if let node = keys["account_deadline_seconds"] {
                config.api.accountDeadlineSeconds = try reader.number(node, key: "api.account_deadline_seconds", 1...86_400)
            }
            if let node = keys["run_deadline_seconds"] {
                config.api.runDeadlineSeconds = try reader.number(node, key: "api.run_deadline_seconds", 10...86_400)
            }
            if let node = keys["max_body_bytes"] {
                config.api.maxBodyBytes = try reader.int(node, key: "api.max_body_bytes", 1024...(256 << 20))
            }
        }
        if let node = top["database"] {
            let database = try reader.string(node, key: "database")
            // A server's address is not a file name to resolve against the config's folder.
            if let scheme = database.range(of: "://").map({ database[..<$0.lowerBound].lowercased() }), !scheme.contains("/") {
                guard ["postgresql", "postgres"].contains(scheme) else {
                    throw reader.error(
                        node, key: "database",
                        "\(scheme):// is not a history this fpreport keeps: give a SQLite file's path or a postgresql:// address")
                }
                // Said without repeating the address: what stands before the @ may be a password.
                let authority = database[database.range(of: "://")!.upperBound...].prefix { $0 != "/" && $0 != "?" }
                if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
                    throw reader.error(
                        node, key: "database",
                        "the address carries a password; remove it and put the password in the environment variable named by database_password_env (default PGPASSWORD)")
                }
                config.database = database
            } else {
                config.database = resolve(database, in: folder)
            }
        }
        if let node = top["database_password_env"] {
            config.databasePasswordEnv = try reader.variableName(node, key: "database_password_env")
        }
        if let reports = top["reports"] {
            let keys = try reader.mapping(reports, key: "reports", allowed: ["directory", "timezone", "keep_nights"])
            if let node = keys["directory"] {
                config.reports.directory = resolve(try reader.string(node, key: "reports.directory"), in: folder)
            }
            if let node = keys["timezone"] {
                let name = try reader.string(node, key: "reports.timezone")
                guard let zone = TimeZone(identifier: name) else {
                    throw reader.error(node, key: "reports.timezone", "unknown time zone \"\(name)\"; use an IANA name such as Europe/Berlin or UTC")
                }
                config.reports.timezone = zone
            }
            if let node = keys["keep_nights"] { config.reports.keepNights = try reader.int(node, key: "reports.keep_nights", 1...100_000) }
        }
        if let metrics = top["metrics"] {
            let keys = try reader.mapping(metrics, key: "metrics", allowed: [
                "stuck_after_hours", "pending_after_hours", "min_finished_for_ranking",
            ])
            if let node = keys["stuck_after_hours"] {
                config.metrics.stuckAfterHours = try reader.number(node, key: "metrics.stuck_after_hours", 0.1...10_000)
            }
            if let node = keys["pending_after_hours"] {
                config.metrics.pendingAfterHours = try reader.number(node, key: "metrics.pending_after_hours", 0.1...10_000)
            }
            if let node = keys["min_finished_for_ranking"] {
                config.metrics.minFinishedForRanking = try reader.int(node, key: "metrics.min_finished_for_ranking", 1...1_000_000)
            }
        }

        var places: [String: String] = [:]
        func add(_ account: Account, at place: String, line: Int?, source: String) throws(ConfigError) {
            if let earlier = places[account.id] {
                throw ConfigError(
                    file: source, line: line, key: "id",
                    "account \"\(Excerpt.printable(account.id))\" is listed twice: \(earlier) and \(place)")
            }
            places[account.id] = place
            config.accounts.append(account)
        }
        if let list = top["accounts"] {
            for (account, line) in try reader.accounts(list) {
                try add(account, at: "\(file) line \(line.map(String.init) ?? "?")", line: line, source: file)
            }
        }
        if let shared = top["shared_run"] {
            let keys = try reader.mapping(shared, key: "shared_run", allowed: ["chunk_size", "lease_seconds"])
            if let node = keys["chunk_size"] { config.sharedRun.chunkSize = try reader.int(node, key: "shared_run.chunk_size", 1...10_000) }
            if let node = keys["lease_seconds"] {
                config.sharedRun.leaseSeconds = try reader.int(node, key: "shared_run.lease_seconds", 3...3600)
            }
        }
        if let monitoring = top["monitoring"] {
            let keys = try reader.mapping(monitoring, key: "monitoring", allowed: ["textfile"])
            if let node = keys["textfile"] {
                config.monitoringTextfile = resolve(try reader.string(node, key: "monitoring.textfile"), in: folder)
            }
        }
        if let node = top["accounts_file"] {
            let csvPath = resolve(try reader.string(node, key: "accounts_file"), in: folder)
            config.accountsFile = csvPath
            for (account, line) in try AccountsCSV.load(path: csvPath) {
                try add(account, at: "\(csvPath) line \(line)", line: line, source: csvPath)
            }
        }
        if config.accounts.isEmpty {
            throw ConfigError(file: file, key: "accounts", "no accounts configured; list them under accounts: or name a CSV in accounts_file:")
        }
        return config
    }

    static func resolve(_ path: String, in folder: URL) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL.path }
        return folder.appendingPathComponent(expanded).standardizedFileURL.path
    }

    /// Where and why the YAML does not parse, without the text of the line: Yams' own description
    /// quotes the line in full, which may be a pasted key or a 200,000-character line.
    static func syntaxError(_ error: any Error, file: String) -> ConfigError {
        func located(_ problem: String, _ mark: Mark, _ context: YamlError.Context?) -> ConfigError {
            var message = "not valid YAML at column \(mark.column): \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return ConfigError(file: file, line: mark.line, message)
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return located(problem, mark, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { Excerpt.make($0, limit: 40) }.joined(separator: ", ")
            return ConfigError(file: file, line: context.mark.line, "not valid YAML: duplicated key \(keys)")
        case .reader(let problem, _, _, _):
            return ConfigError(file: file, "not valid YAML: \(problem)")
        default:
            return ConfigError(file: file, "not valid YAML")
        }
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}
