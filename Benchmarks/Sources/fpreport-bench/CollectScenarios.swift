import APISimulator
import AsyncHTTPClient
import Collector
import FPModel
import FirstPromoterAPI
import Foundation
import HistoryStore
import SQLiteHistory
import Logging

/// Collection against a simulator in another process, so the CPU measured is the client's alone.
enum CollectScenarios {
    static let key = "sk_bench"

    /// Starts `fpreport-bench serve` as a child and returns it with the base URL it printed.
    static func startServer(accounts: Int, latencyMs: Int) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["serve", "--accounts", String(accounts), "--latency-ms", String(latencyMs)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while true {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        guard let url = URL(string: String(decoding: line, as: UTF8.self)) else { throw CocoaError(.fileReadCorruptFile) }
        return (process, url)
    }

    static func serve(accounts: Int, latencyMs: Int) async throws {
        let server = try await SimulatorServer.start(configuration: SimulatorConfiguration(
            accounts: accounts, seed: 1, apiKey: key, latencyMillis: latencyMs))
        await server.state.set(to: server.configuration.start.addingTimeInterval(10 * 86_400))
        FileHandle.standardOutput.write(Data((server.baseURL.absoluteString + "\n").utf8))
        try await server.waitUntilStopped()
    }

    /// One collection of `accounts` accounts; returns (wall, cpu) and the requests made.
    static func collect(baseURL: URL, accounts: Int, concurrency: Int, database: String, asOf: Date = Date()) async throws -> (Measurement, Int) {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let store = try SQLiteHistoryStore(path: database)
        let http = FirstPromoterClient.makeHTTPClient(concurrency: concurrency)
        let client = FirstPromoterClient(configuration: .init(baseURL: baseURL), httpClient: http, logger: logger)
        let apiKey = APIKey(key)!
        let collector = Collector(
            configuration: .init(concurrency: concurrency, requestsPerMinutePerAccount: 400, toolVersion: "bench", configDigest: "bench"),
            client: client, store: store, keys: { _ in .success(apiKey) }, logger: logger)
        let list = (1...accounts).map { Account(id: String(format: "acc-%0\(max(4, String(accounts).count))d", $0)) }
        var requests = 0
        let measured = try await Measure.run {
            let report = try await collector.run(accounts: list, asOf: asOf, holder: "bench")
            requests = report.totals.requests
        }
        try await http.shutdown()
        return (measured, requests)
    }

    /// Two runs into a new history, or into a copy of `history` (one `generate` wrote) when given.
    static func cpu(accounts: Int, history: String? = nil) async throws {
        let (server, url) = try startServer(accounts: accounts, latencyMs: 0)
        defer { server.terminate() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fpreport-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("h.sqlite").path
        // History only moves forward: the runs go after the copied history's last night.
        var asOf = Date()
        if let history {
            try FileManager.default.copyItem(atPath: history, toPath: database)
            let last = try await SQLiteHistoryStore(path: database).lastRun(before: .max)
            asOf = Date(unixSeconds: (last?.asOf ?? 0) + 86_400)
        }
        let (first, requests) = try await collect(baseURL: url, accounts: accounts, concurrency: 64, database: database, asOf: asOf)
        let name = "collect, \(accounts) accounts, no latency" + (history == nil ? "" : ", into 90 nights of history")
        emit(name, "client CPU per request", first.cpu / Double(requests) * 1e6, "µs", "first run (every batch new), \(requests) requests")
        emit(name, "wall", first.wall, "s")
        emit(name, "requests per second", Double(requests) / first.wall, "req/s")
        let (second, again) = try await collect(
            baseURL: url, accounts: accounts, concurrency: 64, database: database, asOf: asOf.addingTimeInterval(3600))
        emit(name, "client CPU per request, nothing changed", second.cpu / Double(again) * 1e6, "µs", "second run")
        emit(name, "peak memory", Measure.peakMiB(), "MiB")
    }

    static func latency(accounts: Int, latencyMs: Int, concurrency: Int) async throws {
        let (server, url) = try startServer(accounts: accounts, latencyMs: latencyMs)
        defer { server.terminate() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fpreport-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (measured, requests) = try await collect(baseURL: url, accounts: accounts, concurrency: concurrency, database: folder.appendingPathComponent("h.sqlite").path)
        let ideal = Double(accounts * 5) * Double(latencyMs) / 1000 / Double(concurrency)
        let name = "collect, \(accounts) accounts, \(latencyMs) ms latency, concurrency \(concurrency)"
        emit(name, "wall", measured.wall, "s", "\(requests) requests")
        emit(name, "ideal (accounts × 5 × latency / concurrency)", ideal, "s")
        emit(name, "wall / ideal", measured.wall / ideal, "×", "target ≤ 1.10")
    }
}
