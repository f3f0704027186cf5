import Foundation
import HistoryStore
import NIOSSL
import PostgresNIO

/// A `database: postgresql://USER@HOST:PORT/DBNAME` address (libpq's URI form), parsed.
///
/// `?host=/socket/dir` reaches the server through its Unix socket in that folder (libpq's
/// `.s.PGSQL.PORT`); `sslmode` is `disable`, `prefer` (the default, as libpq's), `require` or
/// `verify-full`. The password is never part of the address: it comes from the environment
/// variable the configuration names, and an address carrying one is refused without repeating it.
public struct PostgresAddress: Sendable, Equatable {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    /// The folder of the server's Unix socket, when the address names one.
    public var socketDirectory: String?
    public var tls: TLSMode

    /// The address without anything secret, for messages: `postgresql://fp@db.internal:5432/history`.
    public var display: String {
        if let socketDirectory { return "postgresql://\(user)@/\(database)?host=\(socketDirectory)&port=\(port)" }
        return "postgresql://\(user)@\(host):\(port)/\(database)"
    }

    public init(user: String, host: String, port: Int = 5432, database: String, socketDirectory: String? = nil, tls: TLSMode = .prefer) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.socketDirectory = socketDirectory
        self.tls = tls
    }

    /// Parses `text`; errors say which part is wrong and never repeat a password.
    public init(parsing text: String) throws {
        guard let schemeEnd = text.range(of: "://"),
              ["postgresql", "postgres"].contains(text[..<schemeEnd.lowerBound].lowercased())
        else { throw HistoryStoreError("database: not a postgresql:// address") }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw HistoryStoreError("database: the address names no database (postgresql://USER@HOST:PORT/DBNAME)")
        }
        let authority = rest[..<slash]
        let database = Self.decode(rest[rest.index(after: slash)...])
        guard !database.isEmpty else {
            throw HistoryStoreError("database: the address names no database (postgresql://USER@HOST:PORT/DBNAME)")
        }
        guard let at = authority.lastIndex(of: "@") else {
            throw HistoryStoreError("database: the address names no user (postgresql://USER@HOST:PORT/DBNAME)")
        }
        let userPart = authority[..<at]
        if userPart.contains(":") {
            throw HistoryStoreError(
                "database: the address carries a password; remove it and set the environment variable named by database_password_env instead")
        }
        let user = Self.decode(userPart)
        guard !user.isEmpty else { throw HistoryStoreError("database: the address names no user") }
        var hostPart = authority[authority.index(after: at)...]
        var port = 5432
        if let colon = hostPart.lastIndex(of: ":"), !hostPart.hasSuffix("]") {
            guard let parsed = Int(hostPart[hostPart.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw HistoryStoreError("database: the port is not a number from 1 to 65535")
            }
            port = parsed
            hostPart = hostPart[..<colon]
        }
        var host = String(hostPart.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        var socketDirectory: String?
        var tls = TLSMode.prefer
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            switch key {
            case "host":
                if value.hasPrefix("/") { socketDirectory = value } else { host = value }
            case "port":
                guard let parsed = Int(value), (1...65535).contains(parsed) else {
                    throw HistoryStoreError("database: the port is not a number from 1 to 65535")
                }
                port = parsed
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw HistoryStoreError("database: sslmode must be disable, prefer, require or verify-full, not \(value)")
                }
                tls = mode
            case "password":
                throw HistoryStoreError(
                    "database: the address carries a password; remove it and set the environment variable named by database_password_env instead")
            default:
                throw HistoryStoreError("database: unknown address parameter \(key) (host, port and sslmode are understood)")
            }
        }
        self.init(user: user, host: host.isEmpty ? "localhost" : host, port: port, database: database, socketDirectory: socketDirectory, tls: tls)
    }

    /// The TLS settings of `sslmode`: nil for `disable`; libpq's `prefer` and `require` encrypt
    /// without checking the certificate, `verify-full` checks it and the host name.
    private var tlsSettings: (settings: TLSConfiguration, required: Bool)? {
        switch tls {
        case .disable:
            return nil
        case .prefer, .require:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .none
            return (settings, tls == .require)
        case .verifyFull:
            return (TLSConfiguration.makeClientConfiguration(), true)
        }
    }

    private var socketPath: String? {
        socketDirectory.map { ($0 as NSString).appendingPathComponent(".s.PGSQL.\(port)") }
    }

    /// postgres-nio's client (pool) settings for this address with `password`.
    func clientConfiguration(password: String?) throws -> PostgresClient.Configuration {
        if let socketPath {
            return PostgresClient.Configuration(unixSocketPath: socketPath, username: user, password: password, database: database)
        }
        let setting: PostgresClient.Configuration.TLS = tlsSettings.map { $0.required ? .require($0.settings) : .prefer($0.settings) } ?? .disable
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: setting)
        if tls == .verifyFull { configuration.options.tlsServerName = host }
        return configuration
    }

    /// The same settings for one connection of its own (the probe made at open).
    func connectionConfiguration(password: String?) throws -> PostgresConnection.Configuration {
        if let socketPath {
            return PostgresConnection.Configuration(unixSocketPath: socketPath, username: user, password: password, database: database)
        }
        var setting = PostgresConnection.Configuration.TLS.disable
        if let (settings, required) = tlsSettings {
            let context = try NIOSSLContext(configuration: settings)
            setting = required ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: setting)
        if tls == .verifyFull { configuration.options.tlsServerName = host }
        configuration.options.connectTimeout = .seconds(15)
        return configuration
    }

    private static func decode(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }
}
