import FPModel
import FPTestSupport
import GRDB
import Testing

@testable import HistoryStore

/// The schema is created from nothing and upgraded in order, keeping what an older fpreport wrote.
@Suite struct MigrationTests {
    @Test func migratesAnEmptyFileToTheLatestSchemaInWALMode() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHistoryStore(path: folder.path("nested/history.sqlite"))
        #expect(try await store.appliedMigrations() == ["v1-history", "v2-accounts-and-lease", "v3-fetch-retries", "v4-open-batches-index"])
        let mode = try await store.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        #expect(try await store.integrityCheck() == "ok")
    }

    @Test func upgradesAVersion1DatabaseAndBackfillsAccounts() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("v1.sqlite")
        // Given a file written by the first schema version, with one successful and one failed fetch
        do {
            let pool = try DatabasePool(path: path)
            let v1 = try SQLiteHistoryStore(writer: pool, path: path, staleLeaseSeconds: 300, upTo: "v1-history")
            #expect(try await v1.appliedMigrations() == ["v1-history"])
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (id, as_of, started_at, finished_at, status, tool_version, config_digest)
                        VALUES (1, 1000, 1000, 1010, 'finished', '0.0.1', 'x'), (2, 2000, 2000, 2010, 'finished', '0.0.1', 'x');
                    INSERT INTO account_fetches (run_id, account_id, observed_at, outcome, attempts, requests, latency_ms)
                        VALUES (1, 'acc-1', 1000, 'ok', 1, 5, 12), (2, 'acc-1', 2000, 'timeout', 4, 4, 30000);
                    INSERT INTO batches VALUES ('acc-1', '5', 'in_progress', 10, 1, 1000, 1000, 1000, NULL, 1);
                    INSERT INTO batch_events (account_id, batch_id, run_id, observed_at, kind, status, progress)
                        VALUES ('acc-1', '5', 1, 1000, 'first_seen', 'in_progress', 10);
                    """)
            }
            try pool.close()
        }
        // When the current fpreport opens it
        let store = try SQLiteHistoryStore(path: path)
        // Then the schema is current, the old rows are there, and accounts were filled from the fetches
        #expect(try await store.appliedMigrations() == ["v1-history", "v2-accounts-and-lease", "v3-fetch-retries", "v4-open-batches-index"])
        #expect(try await store.events(from: 0, to: .max).count == 1)
        let account = try #require(try await store.accounts().first)
        #expect(account.id == "acc-1")
        #expect(account.firstCollectedAt == 1000)
        #expect(account.lastSuccessAt == 1000)
        // And a new run continues the old history
        let run = try await store.beginRun(RunStart(asOf: 3000, startedAt: 3000, toolVersion: "t", configDigest: "d", holder: "h"))
        let written = try await store.record(
            AccountFetchResult(
                account: Account(id: "acc-1"), outcome: .ok, requests: 5,
                observations: [BatchObservation(batchID: "5", status: .completed, progress: 100)]),
            run: run)
        #expect(written.eventsWritten == 1)
    }
}
