import FPConfig
import FPModel
import FPReportJobs
import FPTestSupport
import Foundation
import HistoryStore
import SQLiteHistory
import Synchronization
import Testing

/// `fpreport export batches`: every batch of a 24,000-batch ledger once, streamed (with the large
/// suites: it generates a history and runs the binary).
@Suite struct ExportAtScaleTests {
    static let start: Int64 = 1_790_000_000

    /// A history of 300 accounts over 20 nights (about 24,000 batches) in `folder`, and a config for it.
    func history(_ folder: TemporaryDirectory) async throws -> (SQLiteHistoryStore, String) {
        let store = try SQLiteHistoryStore(path: folder.path("data/history.sqlite"))
        try await SyntheticHistory(accounts: 300, nights: 20, start: Self.start).write(into: store)
        let config = try folder.write("""
            database: data/history.sqlite
            reports:
              timezone: UTC
            accounts:
              - {id: acc-00001, name: One}
            """, to: "fpreport.yaml")
        return (store, config)
    }

    @Test func theBinaryWritesEveryBatchOnceAsStrictCSV() async throws {
        try #require(CommandRunner.executable() != nil, "build the fpreport executable first (swift build)")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, config) = try await history(folder)
        let ledger = try await store.reduceLedger(firstSeenFrom: nil, to: nil, into: { 0 }) { count, _ in count += 1 }

        let result = try await CommandRunner.run(["export", "--config", config, "batches"], directory: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.components(separatedBy: "\r\n").dropLast()
        #expect(lines.first == "account_id,batch_id,status,progress,present,first_seen_at,status_since,last_progress_change_at,terminal_at,last_seen_run")
        let keys = lines.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: "/") }
        #expect(keys.count == ledger)
        #expect(Set(keys).count == ledger, "every batch exactly once")
        #expect(ledger > 20_000)
        #expect(result.stderr.contains("export: \(ledger) batches"))

        // One day of first sightings: a part of the ledger, every row first seen that day.
        let day = try await CommandRunner.run(
            ["export", "--config", config, "batches", "--since", "2026-09-26", "--until", "2026-09-26"], directory: folder.url)
        let rows = day.stdout.components(separatedBy: "\r\n").dropFirst().dropLast()
        #expect(!rows.isEmpty && rows.count < ledger / 5)
        #expect(rows.allSatisfy { $0.split(separator: ",")[5].hasPrefix("2026-09-26T") })

        let bad = try await CommandRunner.run(["export", "--config", config, "batches", "--since", "2026-02-30"], directory: folder.url)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("The value '2026-02-30' is invalid for '--since <since>': expected a calendar date YYYY-MM-DD"), "\(bad.stderr)")
    }

    @Test func theLedgerIsHandedOverInPiecesNeverWhole() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (store, _) = try await history(folder)
        let config = try ConfigLoader.load(path: folder.path("fpreport.yaml"))
        let pieces = Mutex<[Int]>([])
        let rows = try await ExportJob(config: config).run(store: store) { text in pieces.withLock { $0.append(text.utf8.count) } }
        let sizes = pieces.withLock { $0 }
        // About 3 MB of CSV in pieces of about a megabyte: no piece holds the ledger.
        #expect(rows > 20_000)
        #expect(sizes.count >= 3)
        #expect(sizes.allSatisfy { $0 < (1 << 20) + 4096 })
        #expect(sizes.reduce(0, +) > 2 * (1 << 20))
    }
}
