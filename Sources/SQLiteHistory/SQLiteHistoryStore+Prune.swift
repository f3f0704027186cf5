import FPModel
import GRDB
import HistoryStore

extension SQLiteHistoryStore {
    /// Deletes history observed before `cutoff`, keeping what later queries still need: each
    /// batch's latest event before the cutoff (its state then), and each account's latest
    /// successful fetch with its counts (its "counts at end" until it succeeds again).
    public func prune(before cutoff: UnixSeconds, dryRun: Bool) async throws -> PruneCounts {
        try await write("cannot prune the history") { db in
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS keep_events (id INTEGER PRIMARY KEY);
                DELETE FROM keep_events;
                INSERT INTO keep_events SELECT MAX(id) FROM batch_events WHERE observed_at < :cutoff GROUP BY account_id, batch_id;
                INSERT OR IGNORE INTO keep_events
                    SELECT e.id FROM batch_events e WHERE e.kind = 'first_seen' AND e.observed_at < :cutoff;
                CREATE TEMP TABLE IF NOT EXISTS keep_fetches (run_id INTEGER, account_id TEXT, PRIMARY KEY (run_id, account_id));
                DELETE FROM keep_fetches;
                INSERT INTO keep_fetches
                    SELECT run_id, account_id FROM (
                        SELECT account_id, run_id, MAX(observed_at) FROM account_fetches WHERE outcome = 'ok' GROUP BY account_id
                    );
                """, arguments: ["cutoff": cutoff])
            var counts = PruneCounts()
            counts.events = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM batch_events WHERE observed_at < ? AND id NOT IN (SELECT id FROM keep_events)
                """, arguments: [cutoff]) ?? 0
            counts.statusCounts = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM run_status_counts c WHERE c.observed_at < ?
                  AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = c.run_id AND k.account_id = c.account_id)
                """, arguments: [cutoff]) ?? 0
            counts.fetches = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM account_fetches f WHERE f.observed_at < ?
                  AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = f.run_id AND k.account_id = f.account_id)
                """, arguments: [cutoff]) ?? 0
            let orphanRuns = """
                FROM runs r WHERE r.as_of < :cutoff AND r.status <> 'running'
                  AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = r.id)
                  AND NOT EXISTS (SELECT 1 FROM batch_events e WHERE e.run_id = r.id AND e.id IN (SELECT id FROM keep_events))
                """
            counts.runs = try Int.fetchOne(db, sql: "SELECT COUNT(*) " + orphanRuns, arguments: ["cutoff": cutoff]) ?? 0
            if !dryRun {
                try db.execute(sql: """
                    DELETE FROM batch_events WHERE observed_at < :cutoff AND id NOT IN (SELECT id FROM keep_events);
                    DELETE FROM run_status_counts WHERE observed_at < :cutoff
                      AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = run_status_counts.run_id
                                      AND k.account_id = run_status_counts.account_id);
                    DELETE FROM account_fetches WHERE observed_at < :cutoff
                      AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = account_fetches.run_id
                                      AND k.account_id = account_fetches.account_id);
                    """, arguments: ["cutoff": cutoff])
                // Runs still referenced by kept rows stay, so foreign keys hold.
                try db.execute(sql: """
                    DELETE FROM runs WHERE as_of < :cutoff AND status <> 'running'
                      AND NOT EXISTS (SELECT 1 FROM account_fetches f WHERE f.run_id = runs.id)
                      AND NOT EXISTS (SELECT 1 FROM batch_events e WHERE e.run_id = runs.id)
                      AND NOT EXISTS (SELECT 1 FROM run_status_counts c WHERE c.run_id = runs.id)
                    """, arguments: ["cutoff": cutoff])
            }
            return counts
        }
    }
}
