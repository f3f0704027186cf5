import FPModel
import Foundation
import GRDBSQLite
import HistoryStore
import SQLiteHistory

/// The store's cost per run: one run over `accounts` × 20 batches with 5 % of them changed, through
/// the real store, against the raw SQLite C API writing exactly the same rows with the same indexes.
enum StoreScenario {
    static func run(accounts: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fpreport-bench-store-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ours = folder.appendingPathComponent("ours.sqlite").path
        let store = try SQLiteHistoryStore(path: ours)
        let ids = (1...accounts).map { String(format: "acc-%05d", $0) }
        func observations(_ account: Int, night: Int) -> [BatchObservation] {
            (0..<20).map { b in
                // Batch b of every account changes on night n when (account + b + n) % 20 == 0: 5 % a night.
                let moved = night > 0 && (account + b + night) % 20 == 0
                return BatchObservation(batchID: String(100_000 + b), status: moved ? .completed : .inProgress, progress: moved ? 100 : 50)
            }
        }
        func night(_ n: Int) async throws -> (Measurement, Int) {
            let run = try await store.beginRun(RunStart(asOf: 1_800_000_000 + Int64(n) * 86_400, startedAt: 1_800_000_000, toolVersion: "b", configDigest: "b", holder: "b"))
            var events = 0
            let measured = try await Measure.run {
                for (index, id) in ids.enumerated() {
                    let result = AccountFetchResult(account: Account(id: id), outcome: .ok, httpStatus: 200, requests: 5,
                                                    observations: observations(index, night: n))
                    events += try await store.record(result, run: run).eventsWritten
                }
            }
            try await store.finishRun(run, state: .finished, totals: RunTotals(), finishedAt: 1_800_000_000)
            return (measured, events)
        }
        _ = try await night(0)
        let (changed, events) = try await night(1)
        let name = "store, \(accounts) accounts × 20 batches, 5 % changed"
        emit(name, "batches compared per second", Double(accounts * 20) / changed.wall, "batches/s", "\(events) events written")
        emit(name, "events per second (whole account transactions)", Double(events) / changed.wall, "events/s")
        emit(name, "time per account", changed.wall / Double(accounts) * 1e6, "µs")

        // The same rows through the raw C API, on a copy of the database as it was before night 1's twin.
        let (_, _) = try await night(2)
        let raw = folder.appendingPathComponent("raw.sqlite").path
        try FileManager.default.copyItem(atPath: ours, toPath: raw)
        let rawSeconds = try RawSQLite.writeNight(path: raw, ids: ids, night: 3, observations: observations)
        let (third, _) = try await night(3)
        emit(name, "raw SQLite C API, same rows", rawSeconds, "s")
        emit(name, "store / raw SQLite", third.wall / rawSeconds, "×", "target ≤ 1.5")
        emit(name, "peak memory", Measure.peakMiB(), "MiB")
    }
}

/// The baseline: prepared statements, one transaction per account, no logic beyond finding the
/// changed batches. Unsafe C calls stay in this benchmark.
enum RawSQLite {
    static func writeNight(path: String, ids: [String], night: Int, observations: (Int, Int) -> [BatchObservation]) throws -> Double {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw CocoaError(.fileReadUnknown) }
        defer { sqlite3_close(db) }
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON", nil, nil, nil)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        func prepare(_ sql: String) -> OpaquePointer? {
            var statement: OpaquePointer?
            sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            return statement
        }
        let run = Int64(night + 1000)
        let asOf = Int64(1_900_000_000 + night)
        sqlite3_exec(db, "INSERT INTO runs (id, as_of, started_at, status, tool_version, config_digest) VALUES (\(run), \(asOf), \(asOf), 'running', 'raw', 'raw')", nil, nil, nil)
        let select = prepare("SELECT batch_id, status, progress, present FROM batches WHERE account_id = ?")
        let account = prepare("INSERT INTO accounts (id, name, manager, first_collected_at, last_success_at) VALUES (?, ?, '', ?, ?) ON CONFLICT (id) DO UPDATE SET last_success_at = excluded.last_success_at")
        let fetch = prepare("INSERT OR REPLACE INTO account_fetches (run_id, account_id, observed_at, outcome, http_status, attempts, requests, retries, rate_limited, latency_ms, error, batches, anomalies) VALUES (?, ?, ?, 'ok', 200, 1, 5, 0, 0, 0, NULL, 20, 0)")
        let event = prepare("INSERT INTO batch_events (account_id, batch_id, run_id, observed_at, kind, status, progress) VALUES (?, ?, ?, ?, 'status', ?, ?)")
        let update = prepare("UPDATE batches SET status = ?, progress = ?, status_since = ?, last_progress_change_at = ?, last_seen_run = ? WHERE account_id = ? AND batch_id = ?")
        let seen = prepare("UPDATE batches SET last_seen_run = ? WHERE account_id = ? AND present = 1")
        let counts = prepare("INSERT OR REPLACE INTO run_status_counts (run_id, account_id, status, observed_at, batch_count, progress_sum) VALUES (?, ?, ?, ?, ?, ?)")
        defer { for s in [select, account, fetch, event, update, seen, counts] { sqlite3_finalize(s) } }
        let start = ContinuousClock.now
        for (index, id) in ids.enumerated() {
            sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil)
            var stored: [String: (String, Int32)] = [:]
            sqlite3_bind_text(select, 1, id, -1, transient)
            while sqlite3_step(select) == SQLITE_ROW {
                stored[String(cString: sqlite3_column_text(select, 0))] = (String(cString: sqlite3_column_text(select, 1)), sqlite3_column_int(select, 2))
            }
            sqlite3_reset(select)
            sqlite3_bind_text(account, 1, id, -1, transient); sqlite3_bind_text(account, 2, id, -1, transient)
            sqlite3_bind_int64(account, 3, asOf); sqlite3_bind_int64(account, 4, asOf)
            sqlite3_step(account); sqlite3_reset(account)
            sqlite3_bind_int64(fetch, 1, run); sqlite3_bind_text(fetch, 2, id, -1, transient); sqlite3_bind_int64(fetch, 3, asOf)
            sqlite3_step(fetch); sqlite3_reset(fetch)
            var tally: [String: (Int64, Int64)] = [:]
            for observation in observations(index, night) {
                tally[observation.status.rawValue, default: (0, 0)].0 += 1
                tally[observation.status.rawValue, default: (0, 0)].1 += Int64(observation.progress)
                if let previous = stored[observation.batchID], previous.0 == observation.status.rawValue, previous.1 == observation.progress { continue }
                sqlite3_bind_text(event, 1, id, -1, transient); sqlite3_bind_text(event, 2, observation.batchID, -1, transient)
                sqlite3_bind_int64(event, 3, run); sqlite3_bind_int64(event, 4, asOf)
                sqlite3_bind_text(event, 5, observation.status.rawValue, -1, transient); sqlite3_bind_int(event, 6, Int32(observation.progress))
                sqlite3_step(event); sqlite3_reset(event)
                sqlite3_bind_text(update, 1, observation.status.rawValue, -1, transient); sqlite3_bind_int(update, 2, Int32(observation.progress))
                sqlite3_bind_int64(update, 3, asOf); sqlite3_bind_int64(update, 4, asOf); sqlite3_bind_int64(update, 5, run)
                sqlite3_bind_text(update, 6, id, -1, transient); sqlite3_bind_text(update, 7, observation.batchID, -1, transient)
                sqlite3_step(update); sqlite3_reset(update)
            }
            sqlite3_bind_int64(seen, 1, run); sqlite3_bind_text(seen, 2, id, -1, transient)
            sqlite3_step(seen); sqlite3_reset(seen)
            for status in BatchStatus.allCases {
                let value = tally[status.rawValue] ?? (0, 0)
                sqlite3_bind_int64(counts, 1, run); sqlite3_bind_text(counts, 2, id, -1, transient)
                sqlite3_bind_text(counts, 3, status.rawValue, -1, transient); sqlite3_bind_int64(counts, 4, asOf)
                sqlite3_bind_int64(counts, 5, value.0); sqlite3_bind_int64(counts, 6, value.1)
                sqlite3_step(counts); sqlite3_reset(counts)
            }
            sqlite3_exec(db, "COMMIT", nil, nil, nil)
        }
        return (ContinuousClock.now - start).inSeconds
    }
}
