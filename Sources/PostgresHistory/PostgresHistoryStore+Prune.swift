import FPModel
import HistoryStore
import PostgresNIO

extension PostgresHistoryStore {
    /// Deletes history observed before `cutoff` with the SQLite store's rules: each batch's latest
    /// event before the cutoff and its first sighting stay, and so does each account's latest
    /// successful fetch with its counts. The kept rows are listed in temporary tables that end
    /// with the transaction.
    public func prune(before cutoff: UnixSeconds, dryRun: Bool) async throws -> PruneCounts {
        try await write("cannot prune the history") { connection in
            try await connection.run("CREATE TEMP TABLE keep_events (id BIGINT PRIMARY KEY) ON COMMIT DROP")
            try await connection.run("""
                INSERT INTO keep_events
                SELECT MAX(id) FROM batch_events WHERE observed_at < \(cutoff) GROUP BY account_id, batch_id
                UNION
                SELECT id FROM batch_events WHERE kind = 'first_seen' AND observed_at < \(cutoff)
                """)
            try await connection.run(
                "CREATE TEMP TABLE keep_fetches (run_id BIGINT, account_id TEXT COLLATE \"C\", PRIMARY KEY (run_id, account_id)) ON COMMIT DROP")
            try await connection.run("""
                INSERT INTO keep_fetches
                SELECT DISTINCT ON (account_id) run_id, account_id FROM account_fetches WHERE outcome = 'ok'
                ORDER BY account_id, observed_at DESC
                """)
            var counts = PruneCounts()
            counts.events = Int(try await connection.scalar("""
                SELECT COUNT(*) FROM batch_events e WHERE e.observed_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM keep_events k WHERE k.id = e.id)
                """, as: Int64.self) ?? 0)
            counts.statusCounts = Int(try await connection.scalar("""
                SELECT COUNT(*) FROM run_status_counts c WHERE c.observed_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = c.run_id AND k.account_id = c.account_id)
                """, as: Int64.self) ?? 0)
            counts.fetches = Int(try await connection.scalar("""
                SELECT COUNT(*) FROM account_fetches f WHERE f.observed_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = f.run_id AND k.account_id = f.account_id)
                """, as: Int64.self) ?? 0)
            counts.runs = Int(try await connection.scalar("""
                SELECT COUNT(*) FROM runs r WHERE r.as_of < \(cutoff) AND r.status <> 'running'
                  AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = r.id)
                  AND NOT EXISTS (SELECT 1 FROM batch_events e JOIN keep_events k ON k.id = e.id WHERE e.run_id = r.id)
                """, as: Int64.self) ?? 0)
            guard !dryRun else { return counts }
            try await connection.run("""
                DELETE FROM batch_events e WHERE e.observed_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM keep_events k WHERE k.id = e.id)
                """)
            try await connection.run("""
                DELETE FROM run_status_counts c WHERE c.observed_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = c.run_id AND k.account_id = c.account_id)
                """)
            try await connection.run("""
                DELETE FROM account_fetches f WHERE f.observed_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM keep_fetches k WHERE k.run_id = f.run_id AND k.account_id = f.account_id)
                """)
            // Runs still referenced by kept rows stay, so foreign keys hold.
            try await connection.run("""
                DELETE FROM runs WHERE as_of < \(cutoff) AND status <> 'running'
                  AND NOT EXISTS (SELECT 1 FROM account_fetches f WHERE f.run_id = runs.id)
                  AND NOT EXISTS (SELECT 1 FROM batch_events e WHERE e.run_id = runs.id)
                  AND NOT EXISTS (SELECT 1 FROM run_status_counts c WHERE c.run_id = runs.id)
                """)
            return counts
        }
    }
}
