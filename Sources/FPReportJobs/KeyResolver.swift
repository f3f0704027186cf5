import Collector
import FPConfig
import FPModel
import Foundation

/// Finds each account's API key: a key file (owner-only), the default environment variable, or
/// the variable an account names. Values never leave an ``APIKey``; messages name only the source.
public enum KeyResolver {
    /// A key provider for `config`; throws when the default key is needed and missing.
    public static func provider(
        for config: FPConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> Collector.KeyProvider {
        let needsDefault = config.accounts.contains { $0.apiKeyEnv == nil }
        let defaultKey: APIKey? = needsDefault ? try defaultKey(config, environment: environment) : nil
        return { account in
            guard let variable = account.apiKeyEnv else {
                return defaultKey.map { .success($0) }
                    ?? .failure(.init("no API key (\(config.api.apiKeyEnv) is not set)"))
            }
            guard let key = environment[variable].flatMap(APIKey.init) else {
                return .failure(.init("environment variable \(variable), named by this account's api_key_env, is not set"))
            }
            return .success(key)
        }
    }

    static func defaultKey(_ config: FPConfiguration, environment: [String: String]) throws(ConfigError) -> APIKey {
        if let path = config.api.keyFile { return try readKeyFile(path) }
        guard let key = environment[config.api.apiKeyEnv].flatMap(APIKey.init) else {
            throw ConfigError(
                file: config.file, key: "api.api_key_env",
                "the environment variable \(config.api.apiKeyEnv) is not set (or empty); export the API key in it, or set api.key_file")
        }
        return key
    }

    /// Reads a key file, refusing one that its group or others can read.
    public static func readKeyFile(_ path: String) throws(ConfigError) -> APIKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigError(file: path, key: "api.key_file", "cannot read the key file: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw ConfigError(
                file: path, key: "api.key_file",
                "the key file is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 on it")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
            let key = APIKey(text)
        else {
            throw ConfigError(file: path, key: "api.key_file", "the key file is empty or not UTF-8 text")
        }
        return key
    }
}
