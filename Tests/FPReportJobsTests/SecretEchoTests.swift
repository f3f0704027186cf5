import FPModel
import FPTestSupport
import Foundation
import Testing

/// A proxy or gateway that echoes the `Authorization` header back must not put the key into the
/// history, the logs or any report file (issue 12, item 1).
@Suite struct SecretEchoTests {
    static let secret = "sk_echo_test_4eC39HqLyjWDarjtT1zdp7dc"

    /// Every form of the key a search should not find: plain, percent-encoded, base64 at each alignment.
    static var forms: [String] {
        var forms = [secret, secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!]
        for shift in 0..<3 {
            forms.append(String(Data((String(repeating: "x", count: shift) + secret).utf8).base64EncodedString().dropFirst(4).prefix(16)))
        }
        return forms
    }

    @Test func aServerEchoingTheKeyLeavesNoTraceOfIt() async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first")
        // Given a server that echoes the Authorization header in a 403 message (account a), a 500
        // body (b), and in the bad 200 body of c, in plain and base64 form
        let server = try await ScriptedServer.start { _, request in
            let header = request.headers["authorization"] ?? request.headers["Authorization"] ?? ""
            let encoded = Data(header.utf8).base64EncodedString()
            switch request.headers["account-id"] ?? request.headers["Account-ID"] ?? "" {
            case "a":
                return .init(status: 403, body: "{\"message\": \"Forbidden for request with Authorization: \(header)\", \"code\": \"forbidden \(encoded)\"}")
            case "b":
                return .init(status: 500, body: "upstream said: \(header)")
            default:
                return .init(status: 200, body: "<html>proxy error for \(header) (\(encoded))</html>")
            }
        }
        defer { Task { await server.stop() } }
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = try folder.write("""
            api:
              base_url: \(server.baseURL.absoluteString)
              max_attempts: 1
              timeout_seconds: 5
            database: history.sqlite
            reports: {directory: out}
            accounts:
              - {id: a, name: Account A}
              - {id: b, name: Account B}
              - {id: c, name: Account C}
            """, to: "fpreport.yaml")
        let env = ["FIRSTPROMOTER_API_KEY": Self.secret]

        // When it is collected and reported in every format
        let collect = try await CommandRunner.run(["collect", "--config", config, "--as-of", "2026-11-14T03:00:00Z", "--log-level", "trace"], environment: env)
        #expect(collect.status == 2)
        let report = try await CommandRunner.run(
            ["report", "--config", config, "--as-of", "2026-11-14", "--formats", "csv,xlsx,html"], environment: env)
        #expect(report.status == 0, "\(report.stderr)")

        // Then the server's words are kept (the test would pass vacuously without them)...
        let accounts = try String(contentsOfFile: folder.path("out/2026-11-14/csv/accounts.csv"), encoding: .utf8)
        #expect(accounts.contains("Forbidden for request with Authorization: Bearer \(SecretRedactor.marker)"))
        #expect(accounts.contains("proxy error for Bearer \(SecretRedactor.marker)"))
        // ...and no form of the key is anywhere: output, database, reports, workbooks' parts
        var texts = ["stdout and stderr": collect.stdout + collect.stderr + report.stdout + report.stderr]
        for (file, bytes) in try folder.files() where file != "fpreport.yaml" {
            texts[file] = String(decoding: bytes, as: UTF8.self)
            if file.hasSuffix(".xlsx") { texts[file + " (unzipped)"] = try unzipped(folder.path(file)) }
        }
        #expect(texts.keys.contains { $0.hasSuffix("report.xlsx (unzipped)") })
        #expect(texts.keys.contains { $0.hasSuffix("history.sqlite") })
        for (name, text) in texts {
            for form in Self.forms {
                #expect(!text.contains(form), "\(name) holds the key, after: \(Self.before(form, in: text))")
            }
        }
    }

    /// The 40 characters before `form` in `text`, to say where a key was found without showing it.
    static func before(_ form: String, in text: String) -> String {
        guard let found = text.range(of: form) else { return "" }
        return String(text[..<found.lowerBound].suffix(40))
    }

    /// Every part of a workbook, inflated, one after another.
    func unzipped(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        process.arguments = ["-p", path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
