import FPConfig
import FPModel
import FPTestSupport
import Foundation
import Testing

/// Every configuration error names the file, the line or key, and what was expected.
@Suite struct ConfigLoaderTests {
    func parse(_ yaml: String, file: String = "/etc/fpreport/fpreport.yaml") throws(ConfigError) -> FPConfiguration {
        try ConfigLoader.parse(yaml, file: file)
    }

    func error(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func defaultsAndRelativePaths() throws {
        let config = try parse("""
            accounts:
              - {id: acc-1, name: Acme, manager: Ana}
              - id: acc-2
            """)
        #expect(config.api.baseURL.absoluteString == "https://api.firstpromoter.com/api/v2/company")
        #expect(config.api.apiKeyEnv == "FIRSTPROMOTER_API_KEY")
        #expect(config.api.concurrency == 16)
        #expect(config.database == "/etc/fpreport/data/history.sqlite")
        #expect(config.reports.directory == "/etc/fpreport/Reports")
        #expect(config.reports.timezone.reportName == "UTC")
        #expect(config.accounts == [Account(id: "acc-1", name: "Acme", manager: "Ana"), Account(id: "acc-2")])
    }

    @Test func everyKey() throws {
        let config = try parse("""
            api:
              base_url: http://127.0.0.1:8787/api/v2/company
              api_key_env: FP_KEY
              concurrency: 32
              timeout_seconds: 12.5
              requests_per_minute_per_account: 200
            database: ../var/history.sqlite
            reports:
              directory: /srv/www/fpreport
              timezone: Europe/Berlin
            metrics:
              stuck_after_hours: 12
            accounts:
              - {id: acc-1, api_key_env: OTHER_KEY}
            """)
        #expect(config.api.baseURL.absoluteString == "http://127.0.0.1:8787/api/v2/company")
        #expect(config.api.apiKeyEnv == "FP_KEY")
        #expect(config.api.concurrency == 32)
        #expect(config.api.timeoutSeconds == 12.5)
        #expect(config.api.requestsPerMinutePerAccount == 200)
        #expect(config.database == "/etc/var/history.sqlite")
        #expect(config.reports.directory == "/srv/www/fpreport")
        #expect(config.reports.timezone.identifier == "Europe/Berlin")
        #expect(config.metrics.stuckAfterHours == 12)
        #expect(config.accounts.first?.apiKeyEnv == "OTHER_KEY")
    }

    @Test(arguments: [
        ("apii:\n  concurrency: 3\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:1: apii: unknown key; expected one of: api, database, database_password_env, shared_run, reports, metrics, monitoring, accounts, accounts_file"),
        ("api:\n  concurency: 3\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:2: api.concurency: unknown key; expected one of: base_url, api_key_env, key_file, concurrency, timeout_seconds, connect_timeout_seconds, requests_per_minute_per_account, max_attempts, account_deadline_seconds, run_deadline_seconds, max_body_bytes"),
        ("api:\n  concurrency: lots\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:2: api.concurrency: expected a whole number from 1 to 256, got \"lots\""),
        ("api:\n  concurrency: 0\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:2: api.concurrency: expected a whole number from 1 to 256, got \"0\""),
        ("api:\n  base_url: http://api.example.com/v2\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:2: api.base_url: plain http:// is allowed for loopback hosts only (127.0.0.1, ::1, localhost); use https://"),
        ("api:\n  base_url: not a url\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:2: api.base_url: expected an absolute URL such as https://api.firstpromoter.com/api/v2/company"),
        ("api:\n  api_key_env: sk_live_abc-123\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:2: api.api_key_env: expected the name of an environment variable (letters, digits, _), not a key itself"),
        ("reports:\n  timezone: Mars/Olympus\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:2: reports.timezone: unknown time zone \"Mars/Olympus\"; use an IANA name such as Europe/Berlin or UTC"),
        ("accounts:\n  - name: No id\n", "/etc/fpreport/fpreport.yaml:2: accounts[0].id: every account needs an id"),
        ("accounts:\n  - {id: a, colour: red}\n",
         "/etc/fpreport/fpreport.yaml:2: accounts[0].colour: unknown key; expected one of: id, name, manager, api_key_env"),
        ("accounts:\n  - id: a\n  - id: b\n  - id: a\n",
         "/etc/fpreport/fpreport.yaml:4: id: account \"a\" is listed twice: /etc/fpreport/fpreport.yaml line 2 and /etc/fpreport/fpreport.yaml line 4"),
        ("database: mysql://fp@db.example:3306/history\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:1: database: mysql:// is not a history this fpreport keeps: give a SQLite file's path or a postgresql:// address"),
        ("database_password_env: pass word\naccounts: [{id: a}]",
         "/etc/fpreport/fpreport.yaml:1: database_password_env: expected the name of an environment variable"),
        ("accounts: []\n", "/etc/fpreport/fpreport.yaml: accounts: no accounts configured; list them under accounts: or name a CSV in accounts_file:"),
        ("", "/etc/fpreport/fpreport.yaml: the file is empty; see config/fpreport.example.yaml"),
        ("accounts: [\n", "/etc/fpreport/fpreport.yaml:2: not valid YAML at column 1: did not find expected node content"),
        ("accounts: [{id: a}]\naccounts: [{id: b}]\n", "/etc/fpreport/fpreport.yaml:1: not valid YAML: duplicated key accounts"),
        ("- just\n- a list\n", "/etc/fpreport/fpreport.yaml:1: expected a mapping of keys (api, database, database_password_env, shared_run, reports, metrics, monitoring, accounts, accounts_file)"),
    ])
    func errorMessages(yaml: String, expected: String) {
        let message = error(yaml)
        #expect(message.hasPrefix(expected), "\(message)")
    }

    /// A key pasted where a variable's name goes, in a line that does not parse: the error says
    /// where, and does not quote the line (it would land in cron's mail and the journal).
    @Test(arguments: [
        "api:\n  api_key_env: sk_live_0123: 456789\naccounts: [{id: a}]\n",
        "api:\n  api_key_env: \"sk_live_0123456789\n  concurrency: 4\naccounts: [{id: a}]\n",
    ])
    func aSyntaxErrorDoesNotQuoteTheLine(yaml: String) {
        let message = error(yaml)
        #expect(message.hasPrefix("/etc/fpreport/fpreport.yaml:"), "\(message)")
        #expect(message.contains("not valid YAML"), "\(message)")
        #expect(!message.contains("sk_live"), "\(message)")
        #expect(!message.contains("\n"), "\(message)")
    }

    @Test func aDatabaseAddressIsNeverEchoedWithItsPassword() {
        let message = error("database: postgresql://fp:hunter2@db.example/history\naccounts: [{id: a}]")
        #expect(message.contains("database: the address carries a password"), "\(message)")
        #expect(!message.contains("hunter2") && !message.contains("db.example"))
    }

    /// A server's address is kept as it is (not resolved as a file), with the password's variable.
    @Test func aPostgreSQLAddressIsTakenAsItIs() throws {
        let config = try parse(
            "database: postgresql://fp@db.internal:5433/history?sslmode=require\ndatabase_password_env: FP_DB_PASSWORD\naccounts: [{id: a}]\n")
        #expect(config.database == "postgresql://fp@db.internal:5433/history?sslmode=require")
        #expect(config.databasePasswordEnv == "FP_DB_PASSWORD")
        #expect(try parse("accounts: [{id: a}]\n").databasePasswordEnv == "PGPASSWORD")
    }

    /// Plain http carries the key only to a loopback address, parsed rather than matched by prefix.
    @Test(arguments: [
        ("http://127.0.0.1:8787/api/v2", true), ("http://127.255.3.4/", true), ("http://localhost:1/", true),
        ("http://LOCALHOST/", true), ("http://[::1]:8787/", true), ("http://[0:0:0:0:0:0:0:1]/", true),
        ("http://127.0.0.1.evil.example/", false), ("http://127.evil.example/", false), ("http://localhost.evil.example/", false),
        ("http://128.0.0.1/", false), ("http://127.0.0.256/", false), ("http://127.1/", false), ("http://0x7f.0.0.1/", false),
        ("http://0177.0.0.1/", false), ("http://[::2]/", false), ("http://[::ffff:127.0.0.1]/", false),
        ("http://10.0.0.1/", false), ("http://127.0.0.1@evil.example/", false),
    ])
    func plainHTTPOnlyToLoopback(url: String, allowed: Bool) {
        let message = error("api:\n  base_url: \(url)\naccounts: [{id: a}]")
        #expect((message == "no error") == allowed, "\(url): \(message)")
        if !allowed { #expect(message.hasPrefix("/etc/fpreport/fpreport.yaml:2: api.base_url: ")) }
    }

    @Test func accountsFromYAMLAndCSVTogetherAndDuplicatesAcrossThem() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("\u{FEFF}id,name,manager,api_key_env\r\nacc-2,\"Bright, Inc.\",Ben,\r\nacc-3,\"Quote \"\"Q\"\"\",,KEY_3\r\n\r\n", to: "accounts.csv")
        let path = try folder.write("accounts_file: accounts.csv\naccounts:\n  - {id: acc-1, name: One}\n", to: "fpreport.yaml")
        let config = try ConfigLoader.load(path: path)
        #expect(config.accounts.map(\.id) == ["acc-1", "acc-2", "acc-3"])
        #expect(config.accounts[1].name == "Bright, Inc.")
        #expect(config.accounts[1].manager == "Ben")
        #expect(config.accounts[2].name == "Quote \"Q\"")
        #expect(config.accounts[2].apiKeyEnv == "KEY_3")

        _ = try folder.write("accounts_file: accounts.csv\naccounts:\n  - {id: acc-3}\n", to: "dup.yaml")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: folder.path("dup.yaml")) }
        #expect(error?.description == "\(folder.path("accounts.csv")):3: id: account \"acc-3\" is listed twice: \(folder.path("dup.yaml")) line 3 and \(folder.path("accounts.csv")) line 3")
    }

    @Test(arguments: [
        ("id,name\nacc-1,One,extra\n", "/x/accounts.csv:2: expected 2 fields as in the header, found 3"),
        ("name,manager\nOne,Ana\n", "/x/accounts.csv:1: the header has no id column; expected id,name,manager[,api_key_env]"),
        ("id,name,team\n", "/x/accounts.csv:1: team: unknown column; expected id,name,manager[,api_key_env]"),
        ("id,name\n,No id\n", "/x/accounts.csv:2: id: the account id is empty"),
        ("id,name\n\"acc-1,One\n", "/x/accounts.csv:2: a quoted field is not closed"),
        ("", "/x/accounts.csv: the file is empty; expected a header row id,name,manager[,api_key_env]"),
    ])
    func csvErrors(csv: String, expected: String) {
        do {
            _ = try AccountsCSV.parse(csv, file: "/x/accounts.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func missingFileNamesIt() {
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/fpreport.yaml") }
        #expect(error?.description.hasPrefix("/nonexistent/fpreport.yaml: cannot read the configuration file") == true)
    }
}
