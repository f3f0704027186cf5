import FPModel
import FPTestSupport
import GRDB
import Testing

import HistoryStore
@testable import SQLiteHistory

/// The schema is created from nothing and upgraded in order, keeping what an older fpreport wrote.
@Suite struct MigrationTests {
    static let latest = ["v1-history", "v2-accounts-and-lease", "v3-fetch-retries", "v4-open-batches-index", "v5-progress-gains",
        "v6-open-batches-state"]

    @Test func migratesAnEmptyFileToTheLatestSchemaInWALMode() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHistoryStore(path: folder.path("nested/history.sqlite"))
        #expect(try await store.appliedMigrations() == Self.latest)
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
        #expect(try await store.appliedMigrations() == Self.latest)
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

    @Test func backfillsTheProgressGainsOfAVersion4Database() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("v4.sqlite")
        // Given a version-4 file: batch 5 seen at 10, then 40, then completed; it disappears and
        // comes back; batch 6 is seen once; another account's batch 5 steps from 0 to 20
        do {
            let pool = try DatabasePool(path: path)
            _ = try SQLiteHistoryStore(writer: pool, path: path, staleLeaseSeconds: 300, upTo: "v4-open-batches-index")
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (id, as_of, started_at, finished_at, status, tool_version, config_digest) VALUES
                        (1, 1000, 1000, 1010, 'finished', 't', 'x'), (2, 2000, 2000, 2010, 'finished', 't', 'x'),
                        (3, 3000, 3000, 3010, 'finished', 't', 'x'), (4, 4000, 4000, 4010, 'finished', 't', 'x'),
                        (5, 5000, 5000, 5010, 'finished', 't', 'x');
                    INSERT INTO batch_events (id, account_id, batch_id, run_id, observed_at, kind, status, progress) VALUES
                        (1, 'a', '5', 1, 1000, 'first_seen', 'in_progress', 10),
                        (2, 'a', '6', 1, 1000, 'first_seen', 'pending', 0),
                        (3, 'b', '5', 1, 1000, 'first_seen', 'pending', 0),
                        (4, 'a', '5', 2, 2000, 'progress', 'in_progress', 40),
                        (5, 'b', '5', 2, 2000, 'status', 'in_progress', 20),
                        (6, 'a', '5', 3, 3000, 'status', 'completed', 100),
                        (7, 'a', '5', 4, 4000, 'disappeared', 'completed', 100),
                        (8, 'a', '5', 5, 5000, 'reappeared', 'completed', 100);
                    """)
            }
            try pool.close()
        }
        // When the current fpreport opens it
        let store = try SQLiteHistoryStore(path: path)
        #expect(try await store.appliedMigrations() == Self.latest)
        // Then each progress or status event carries its gain over the batch's previous observation
        let gains = try await store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, gain FROM batch_events ORDER BY id").map { row -> Int? in row[1] }
        }
        #expect(gains == [nil, nil, nil, 30, 20, 60, nil, nil])
        // And the progress steps read from them are those of the rule (+30 and +20 at 2000, +60 at 3000)
        let steps = try await store.progressSteps(from: 0, to: 10_000)
        #expect(steps == [
            ProgressStep(accountID: "a", observedAt: 2000, gain: 30), ProgressStep(accountID: "b", observedAt: 2000, gain: 20),
            ProgressStep(accountID: "a", observedAt: 3000, gain: 60),
        ])
    }

    @Test func givesTheOpenBatchesOfAVersion5DatabaseTheirLatestEventTime() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("v5.sqlite")
        // Given a version-5 file: batch 5 stuck in progress since 2000 (it vanished at 3000 and came
        // back at 4000, unchanged), batch 6 still pending since 1000, batch 7 gone while pending, and
        // batch 8 completed
        do {
            let pool = try DatabasePool(path: path)
            _ = try SQLiteHistoryStore(writer: pool, path: path, staleLeaseSeconds: 300, upTo: "v5-progress-gains")
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (id, as_of, started_at, finished_at, status, tool_version, config_digest) VALUES
                        (1, 1000, 1000, 1010, 'finished', 't', 'x'), (2, 2000, 2000, 2010, 'finished', 't', 'x'),
                        (3, 3000, 3000, 3010, 'finished', 't', 'x'), (4, 4000, 4000, 4010, 'finished', 't', 'x');
                    INSERT INTO batches VALUES
                        ('a', '5', 'in_progress', 40, 1, 1000, 2000, 2000, NULL, 4),
                        ('a', '6', 'pending', 0, 1, 1000, 1000, 1000, NULL, 4),
                        ('a', '7', 'pending', 0, 0, 1000, 1000, 1000, NULL, 1),
                        ('a', '8', 'completed', 100, 1, 1000, 2000, 2000, 2000, 4);
                    INSERT INTO batch_events (id, account_id, batch_id, run_id, observed_at, kind, status, progress, gain) VALUES
                        (1, 'a', '5', 1, 1000, 'first_seen', 'pending', 0, NULL),
                        (2, 'a', '6', 1, 1000, 'first_seen', 'pending', 0, NULL),
                        (3, 'a', '7', 1, 1000, 'first_seen', 'pending', 0, NULL),
                        (4, 'a', '8', 1, 1000, 'first_seen', 'in_progress', 50, NULL),
                        (5, 'a', '5', 2, 2000, 'status', 'in_progress', 40, 40),
                        (6, 'a', '7', 2, 2000, 'disappeared', 'pending', 0, NULL),
                        (7, 'a', '8', 2, 2000, 'status', 'completed', 100, 50),
                        (8, 'a', '5', 3, 3000, 'disappeared', 'in_progress', 40, NULL),
                        (9, 'a', '5', 4, 4000, 'reappeared', 'in_progress', 40, NULL);
                    """)
            }
            try pool.close()
        }
        // When the current fpreport opens it
        let store = try SQLiteHistoryStore(path: path)
        #expect(try await store.appliedMigrations() == Self.latest)
        #expect(try await store.consistencyProblems() == [])
        // Then a later night lists the two open batches as their latest events left them
        let states = try await store.batchStates(at: 9000, activeSince: 8000)
        #expect(states == [
            BatchStateRecord(accountID: "a", batchID: "5", status: .inProgress, progress: 40, firstSeenAt: 1000, lastChangeAt: 4000, terminalAt: nil),
            BatchStateRecord(accountID: "a", batchID: "6", status: .pending, progress: 0, firstSeenAt: 1000, lastChangeAt: 1000, terminalAt: nil),
        ])
    }
}
