import FPModel
import Foundation

/// Everything a run needs, validated, with paths made absolute against the config file's folder.
public struct FPConfiguration: Sendable {
    /// API settings (`api:`).
    public struct API: Sendable, Equatable {
        public var baseURL: URL = URL(string: "https://api.firstpromoter.com/api/v2/company")!
        /// The environment variable holding the default key.
        public var apiKeyEnv: String = "FIRSTPROMOTER_API_KEY"
        /// A file holding the key, readable by its owner only; used when set, instead of the variable.
        public var keyFile: String?
        public var concurrency: Int = 16
        public var timeoutSeconds: Double = 30
        public var connectTimeoutSeconds: Double = 10
        public var requestsPerMinutePerAccount: Int = 300
        public var maxAttempts: Int = 4
        public var accountDeadlineSeconds: Double = 300
        public var runDeadlineSeconds: Double = 3 * 3600
        public var maxBodyBytes: Int = 1 << 20

        public init() {}
    }

    /// Report settings (`reports:`).
    public struct Reports: Sendable, Equatable {
        public var directory: String
        public var timezone: TimeZone = TimeZone(identifier: "UTC")!
        public var keepNights: Int?

        public init(directory: String, timezone: TimeZone = TimeZone(identifier: "UTC")!, keepNights: Int? = nil) {
            self.directory = directory
            self.timezone = timezone
            self.keepNights = keepNights
        }
    }

    /// Metric thresholds (`metrics:`).
    public struct Metrics: Sendable, Equatable {
        public var stuckAfterHours: Double = 24
        public var pendingAfterHours: Double = 24
        /// Worst-account rankings ignore accounts with fewer finished batches in the window.
        public var minFinishedForRanking: Int = 5

        public init() {}
    }

    /// The file this came from (as given), for messages.
    public var file: String
    public var api = API()
    /// Absolute path of the SQLite history, or a `postgresql://USER@HOST:PORT/DBNAME` address.
    public var database: String
    /// The environment variable holding the PostgreSQL password (never the file, argv or logs).
    public var databasePasswordEnv = "PGPASSWORD"
    /// How collectors on several hosts split a run (PostgreSQL histories only).
    public var sharedRun = SharedRun()

    public struct SharedRun: Sendable, Equatable {
        /// Accounts claimed at a time.
        public var chunkSize = 50
        /// How long a claim lasts without renewal: a collector that dies holds its accounts this long at most.
        public var leaseSeconds = 120

        public init() {}
    }
    public var reports: Reports
    public var metrics = Metrics()
    /// A Prometheus text-format file that `collect` and `nightly` rewrite after each run, for
    /// node_exporter's textfile collector.
    public var monitoringTextfile: String?
    /// Every account, YAML entries first, then the CSV file's, in file order.
    public var accounts: [Account] = []
    /// Absolute path of `accounts_file`, when set.
    public var accountsFile: String?

    public init(file: String, database: String, reports: Reports) {
        self.file = file
        self.database = database
        self.reports = reports
    }

    /// Identifies the settings (never the key) so runs made with different setups can be told apart.
    public var digest: String {
        var text = "\(api.baseURL)|\(api.apiKeyEnv)|\(api.concurrency)|\(api.timeoutSeconds)|\(database)|"
        text += "\(reports.directory)|\(reports.timezone.identifier)|"
        for account in accounts { text += "\(account.id),\(account.name),\(account.manager);" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
