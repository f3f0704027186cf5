import APISimulator
import FPModel
import FPTestSupport
import Foundation
import HistoryStore
import SQLiteHistory
import Testing

/// The real `fpreport` executable against the real simulator on loopback.
@Suite(.serialized) struct CommandLineTests {
    static let secret = "sk_live_CLI_SECRET_7f3a9c"

    /// A simulator with one forbidden account, and a config naming it plus four good ones.
    func setUp(_ folder: TemporaryDirectory, extra: String = "") async throws -> (SimulatorServer, String) {
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(
            accounts: 5, seed: 2, apiKey: Self.secret, forbiddenAccounts: ["acc-0005"]))
        await server.state.set(to: server.configuration.start.addingTimeInterval(4 * 86_400))
        _ = try folder.write("id,name,manager\nacc-0004,\"=HYPERLINK(\"\"http://x\"\")\",Ben\nacc-0005,Forbidden Co,Ben\n", to: "accounts.csv")
        let config = try folder.write("""
            api:
              base_url: \(server.baseURL.absoluteString)
              concurrency: 4
            database: data/history.sqlite
            reports:
              directory: out
              timezone: Europe/Berlin
            accounts:
              - {id: acc-0001, name: "Acme <script>alert(1)</script>", manager: Ana}
              - {id: acc-0002, name: Bright, manager: Ana}
              - {id: acc-0003, name: Cobalt, manager: Ben}
            accounts_file: accounts.csv
            \(extra)
            """, to: "fpreport.yaml")
        return (server, config)
    }

    @Test func collectExitCodesSummaryAndJSON() async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first (swift build)")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (server, config) = try await setUp(folder)
        let env = ["FIRSTPROMOTER_API_KEY": Self.secret]

        // One forbidden account, none allowed to fail: exit 1, the account named on stderr.
        let strict = try await CommandRunner.run(
            ["collect", "--config", config, "--as-of", "2026-11-05T03:00:00Z", "--log-level", "trace"], environment: env)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("account acc-0005: forbidden"))
        #expect(strict.stderr.contains("5 accounts: 4 ok, 1 forbidden"))

        // Allowed to fail one: exit 0, and --json on stdout.
        let lenient = try await CommandRunner.run(
            ["collect", "--config", config, "--as-of", "2026-11-05T09:00:00Z", "--max-failed", "1", "--json"], environment: env)
        #expect(lenient.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(lenient.stdout.utf8)) as? [String: Any]
        #expect(json?["ok"] as? Int == 4)
        #expect(json?["failed"] as? Int == 1)
        #expect(json?["requests"] as? Int == 21)
        #expect((json?["outcomes"] as? [String: Int]) == ["ok": 4, "forbidden": 1])

        // With --log-format json every line on stderr is a JSON object, the summary included.
        let jsonLog = try await CommandRunner.run(
            ["collect", "--config", config, "--as-of", "2026-11-05T10:00:00Z", "--max-failed", "1", "--log-format", "json",
             "--log-level", "debug"], environment: env)
        #expect(jsonLog.status == 0)
        let lines = jsonLog.stderr.split(separator: "\n")
        #expect(lines.count >= 2)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["message"] != nil, "not a JSON log line: \(line)")
        }
        #expect(jsonLog.stderr.contains("5 accounts: 4 ok, 1 forbidden"))
        #expect(!jsonLog.stderr.contains(Self.secret))

        // The report prints its paths.
        let report = try await CommandRunner.run(["report", "--config", config, "--as-of", "2026-11-05"], environment: env)
        #expect(report.status == 0)
        #expect(report.stdout.contains("Fleet page:     \(folder.path("out/2026-11-05/index.html"))"))
        #expect(report.stdout.contains("CSV tables:     \(folder.path("out/2026-11-05/csv"))/"))
        let csv = try String(contentsOfFile: folder.path("out/2026-11-05/csv/accounts.csv"), encoding: .utf8)
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""))

        // The key never appears in what fpreport printed or stored, even at trace level.
        var stored = Data()
        for name in ["data/history.sqlite", "data/history.sqlite-wal"] {
            stored.append((try? Data(contentsOf: folder.url.appendingPathComponent(name))) ?? Data())
        }
        #expect(!stored.isEmpty)
        for text in [strict.stdout, strict.stderr, lenient.stdout, lenient.stderr, report.stdout, report.stderr, csv] {
            #expect(!text.contains(Self.secret))
        }
        #expect(stored.range(of: Data(Self.secret.utf8)) == nil)
        // Nor in any file of the report folder.
        let reportFiles = FileManager.default.enumerator(atPath: folder.path("out"))?.compactMap { $0 as? String } ?? []
        #expect(reportFiles.count > 10)
        for file in reportFiles {
            let bytes = (try? Data(contentsOf: folder.url.appendingPathComponent("out/\(file)"))) ?? Data()
            #expect(bytes.range(of: Data(Self.secret.utf8)) == nil, "\(file)")
        }
        await server.stop()
    }

    @Test func configurationErrorsExit64AndMissingKeyIsNamed() async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first (swift build)")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (server, config) = try await setUp(folder)
        let noKey = try await CommandRunner.run(["collect", "--config", config])
        #expect(noKey.status == 64)
        #expect(noKey.stderr.contains("api.api_key_env: the environment variable FIRSTPROMOTER_API_KEY is not set"))

        let typo = try folder.write("acounts: []\n", to: "typo.yaml")
        let bad = try await CommandRunner.run(["check-config", "--config", typo])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("typo.yaml:1: acounts: unknown key"))

        let usage = try await CommandRunner.run(["collect", "--config", config, "--as-of", "last tuesday"])
        #expect(usage.status == 64)

        let good = try await CommandRunner.run(["check-config", "--config", config], environment: ["FIRSTPROMOTER_API_KEY": "x"])
        #expect(good.status == 0)
        #expect(good.stdout.contains("ok   5 accounts"))
        #expect(good.stdout.contains("ok   API key found in environment variable FIRSTPROMOTER_API_KEY"))
        #expect(good.stdout.contains("ok   time zone Europe/Berlin"))
        #expect(!good.stdout.contains("x\n"))

        let missing = try await CommandRunner.run(["check-config", "--config", config])
        #expect(missing.status == 64)
        #expect(missing.stdout.contains("FAIL \(config): api.api_key_env: the environment variable FIRSTPROMOTER_API_KEY is not set"))

        // --ping asks the API once per sampled account and names the ones it refuses.
        let ping = try await CommandRunner.run(
            ["check-config", "--config", config, "--ping"], environment: ["FIRSTPROMOTER_API_KEY": Self.secret])
        #expect(ping.status == 64)
        #expect(ping.stdout.contains("ok   account acc-0001: ok ("))
        #expect(ping.stdout.contains("FAIL account acc-0005: forbidden (HTTP 403)"))
        #expect(!ping.stdout.contains(Self.secret))
        await server.stop()
    }

    /// `monitoring.textfile`: after each collect and nightly, a Prometheus text file saying how
    /// the run went; the last success time survives a failed run (issue 12, item 10).
    @Test func collectAndNightlyLeaveAPrometheusTextfile() async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first (swift build)")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (server, config) = try await setUp(folder, extra: "monitoring: {textfile: metrics/fpreport.prom}")
        let file = folder.path("metrics/fpreport.prom")
        func samples() throws -> [String: Double] {
            var out: [String: Double] = [:]
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
                // Exposition format: name{labels} value, nothing else on the line
                let parts = line.split(separator: " ")
                #expect(parts.count == 2 && parts[0].hasPrefix("fpreport_") && parts[0].hasSuffix("}"), "\(line)")
                out[String(parts[0])] = Double(parts[1])
            }
            return out
        }
        let before = Date().timeIntervalSince1970.rounded(.down)

        // A collection with one forbidden account, one allowed to fail: exit 0
        let ok = try await CommandRunner.run(
            ["collect", "--config", config, "--as-of", "2026-11-05T03:00:00Z", "--max-failed", "1"],
            environment: ["FIRSTPROMOTER_API_KEY": Self.secret])
        #expect(ok.status == 0)
        let first = try samples()
        #expect(first["fpreport_last_run_exit_code{job=\"collect\"}"] == 0)
        #expect(first["fpreport_last_run_accounts{job=\"collect\",outcome=\"ok\"}"] == 4)
        #expect(first["fpreport_last_run_accounts{job=\"collect\",outcome=\"forbidden\"}"] == 1)
        #expect(first["fpreport_last_run_requests{job=\"collect\"}"] == 21)
        #expect(first["fpreport_last_run_retries{job=\"collect\"}"] == 0)
        #expect(first["fpreport_last_run_rate_limited_responses{job=\"collect\"}"] == 0)
        let success = try #require(first["fpreport_last_success_timestamp_seconds{job=\"collect\"}"])
        #expect(success >= before && success == first["fpreport_last_run_finish_timestamp_seconds{job=\"collect\"}"])
        #expect(first["fpreport_last_run_duration_seconds{job=\"collect\"}"].map { $0 >= 0 } == true)

        // A collection with the wrong key: exit 2, every account unauthorized, the last success kept
        try await Task.sleep(for: .seconds(1.1))
        let failed = try await CommandRunner.run(
            ["collect", "--config", config, "--as-of", "2026-11-05T09:00:00Z"], environment: ["FIRSTPROMOTER_API_KEY": "wrong"])
        #expect(failed.status == 2)
        let second = try samples()
        #expect(second["fpreport_last_run_exit_code{job=\"collect\"}"] == 2)
        #expect(second["fpreport_last_run_accounts{job=\"collect\",outcome=\"unauthorized\"}"] == 5)
        #expect(second["fpreport_last_success_timestamp_seconds{job=\"collect\"}"] == success)
        #expect(try #require(second["fpreport_last_run_finish_timestamp_seconds{job=\"collect\"}"]) > success)

        // nightly writes it too, under its own job label; no temporary file is left beside it
        let nightly = try await CommandRunner.run(
            ["nightly", "--config", config, "--max-failed", "1"], environment: ["FIRSTPROMOTER_API_KEY": Self.secret])
        #expect(nightly.status == 0, "\(nightly.stderr)")
        let third = try samples()
        #expect(third["fpreport_last_run_exit_code{job=\"nightly\"}"] == 0)
        // and the collections' samples stay beside it: an alert on either job keeps its data
        #expect(third["fpreport_last_run_exit_code{job=\"collect\"}"] == 2)
        #expect(third["fpreport_last_success_timestamp_seconds{job=\"collect\"}"] == success)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("metrics")) == ["fpreport.prom"])
        await server.stop()
    }

    /// The same history and date give the same bytes in every file, workbooks included, across
    /// two separate processes (their hash seeds differ, so no dictionary order can leak in).
    @Test func twoReportProcessesWriteTheSameBytes() async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first (swift build)")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (server, config) = try await setUp(folder)
        let env = ["FIRSTPROMOTER_API_KEY": Self.secret]
        for (day, hour) in [(5, "03"), (5, "15"), (6, "03")] {
            await server.state.set(to: ISO8601.parse("2026-11-0\(day)T\(hour):00:00Z")!)
            _ = try await CommandRunner.run(["collect", "--config", config, "--as-of", "2026-11-0\(day)T\(hour):00:00Z"], environment: env)
        }
        var trees: [[String: Data]] = []
        for copy in ["one", "two"] {
            let yaml = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "directory: out", with: "directory: \(copy)")
            let other = try folder.write(yaml, to: "\(copy).yaml")
            let run = try await CommandRunner.run(["report", "--config", other, "--as-of", "2026-11-05"], environment: env)
            #expect(run.status == 0, "\(run.stderr)")
            trees.append(try folder.files(under: "\(copy)/2026-11-05"))
        }
        #expect(trees[0].keys.contains("report.xlsx") && trees[0].keys.contains { $0.hasPrefix("managers/") && $0.hasSuffix(".xlsx") })
        #expect(trees[0].count > 10)
        #expect(trees[0].keys.sorted() == trees[1].keys.sorted())
        for (file, bytes) in trees[0] { #expect(trees[1][file] == bytes, "\(file) differs between the two processes") }
        await server.stop()
    }

    /// `nightly`'s exit codes through the binary: 0, 1, 2, 64 and 75 (SPEC section 6).
    @Test func nightlyExitCodes() async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first (swift build)")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (server, config) = try await setUp(folder)
        let env = ["FIRSTPROMOTER_API_KEY": Self.secret]
        // 0: every failure allowed; 1: the forbidden account over --max-failed 0; 2: a wrong key fails them all
        #expect(try await CommandRunner.run(["nightly", "--config", config, "--max-failed", "1"], environment: env).status == 0)
        #expect(try await CommandRunner.run(["nightly", "--config", config], environment: env).status == 1)
        #expect(try await CommandRunner.run(["nightly", "--config", config], environment: ["FIRSTPROMOTER_API_KEY": "wrong"]).status == 2)
        // 64: a configuration error, named
        let broken = try folder.write("api:\n  concurency: 3\naccounts: [{id: a}]\n", to: "broken.yaml")
        let usage = try await CommandRunner.run(["nightly", "--config", broken], environment: env)
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("api.concurency: unknown key"))
        // 75: another run holds the lock
        let lock = try RunLock(databasePath: folder.path("data/history.sqlite"), holder: "elsewhere:42")
        let locked = try await CommandRunner.run(["nightly", "--config", config], environment: env)
        #expect(locked.status == 75)
        #expect(locked.stderr.contains("elsewhere:42"))
        withExtendedLifetime(lock) {}
        await server.stop()
    }

    /// Options are typed: a bad value is refused while parsing (64), naming the option.
    @Test(arguments: [
        (["collect", "--as-of", "junk"], "The value 'junk' is invalid for '--as-of <as-of>': expected an ISO 8601 time"),
        (["collect", "--max-failed=-1"], "'--max-failed <max-failed>': expected a whole number of 0 or more"),
        (["report", "--formats", "csv,pdf"], "'--formats <formats>': expected csv, xlsx and html, comma-separated; \"pdf\" is not one of them"),
        (["nightly", "--as-of", "2026-13-01"], "'--as-of <as-of>': expected a calendar date YYYY-MM-DD"),
        (["prune", "--keep-days", "0"], "'--keep-days <keep-days>': expected a whole number of 1 or more"),
    ])
    func badOptionValuesAreRefusedWhileParsing(arguments: [String], message: String) async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first (swift build)")
        let result = try await CommandRunner.run([arguments[0], "--config", "/nonexistent.yaml"] + arguments.dropFirst())
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func everyAccountFailingExits2() async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first (swift build)")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (server, config) = try await setUp(folder)
        let result = try await CommandRunner.run(
            ["collect", "--config", config, "--as-of", "2026-11-05T03:00:00Z"], environment: ["FIRSTPROMOTER_API_KEY": "wrong"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("5 unauthorized"))
        await server.stop()
    }
}
