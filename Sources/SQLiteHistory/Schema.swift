import GRDB
import HistoryStore

/// The history's schema, as ordered forward-only migrations; each runs in its own transaction.
///
/// Times are whole seconds since the epoch (UTC); statuses and outcomes are their API names.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-history", migrate: v1)
        migrator.registerMigration("v2-accounts-and-lease", migrate: v2)
        migrator.registerMigration("v3-fetch-retries", migrate: v3)
        migrator.registerMigration("v4-open-batches-index", migrate: v4)
        migrator.registerMigration("v5-progress-gains", migrate: v5)
        migrator.registerMigration("v6-open-batches-state", migrate: v6)
        return migrator
    }

    /// SPEC section 3: runs, fetches, current batches, changes, and per-run counts.
    static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                as_of INTEGER NOT NULL UNIQUE,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'aborted')),
                accounts_total INTEGER NOT NULL DEFAULT 0,
                accounts_ok INTEGER NOT NULL DEFAULT 0,
                accounts_failed INTEGER NOT NULL DEFAULT 0,
                requests INTEGER NOT NULL DEFAULT 0,
                retries INTEGER NOT NULL DEFAULT 0,
                rate_limited INTEGER NOT NULL DEFAULT 0,
                events_written INTEGER NOT NULL DEFAULT 0,
                anomalies INTEGER NOT NULL DEFAULT 0,
                tool_version TEXT NOT NULL,
                config_digest TEXT NOT NULL
            );

            CREATE TABLE account_fetches (
                run_id INTEGER NOT NULL REFERENCES runs(id),
                account_id TEXT NOT NULL,
                observed_at INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                http_status INTEGER,
                attempts INTEGER NOT NULL,
                requests INTEGER NOT NULL,
                rate_limited INTEGER NOT NULL DEFAULT 0,
                latency_ms INTEGER NOT NULL,
                error TEXT,
                batches INTEGER NOT NULL DEFAULT 0,
                anomalies INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (run_id, account_id)
            ) WITHOUT ROWID;
            CREATE INDEX account_fetches_by_account ON account_fetches(account_id, outcome, observed_at);
            CREATE INDEX account_fetches_by_time ON account_fetches(observed_at);

            CREATE TABLE batches (
                account_id TEXT NOT NULL,
                batch_id TEXT NOT NULL,
                status TEXT NOT NULL,
                progress INTEGER NOT NULL,
                present INTEGER NOT NULL DEFAULT 1,
                first_seen_at INTEGER NOT NULL,
                status_since INTEGER NOT NULL,
                last_progress_change_at INTEGER NOT NULL,
                terminal_at INTEGER,
                last_seen_run INTEGER NOT NULL,
                PRIMARY KEY (account_id, batch_id)
            ) WITHOUT ROWID;

            CREATE TABLE batch_events (
                id INTEGER PRIMARY KEY,
                account_id TEXT NOT NULL,
                batch_id TEXT NOT NULL,
                run_id INTEGER NOT NULL REFERENCES runs(id),
                observed_at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                progress INTEGER NOT NULL
            );
            CREATE INDEX batch_events_by_time ON batch_events(observed_at);
            CREATE INDEX batch_events_by_batch ON batch_events(account_id, batch_id, observed_at);

            CREATE TABLE run_status_counts (
                run_id INTEGER NOT NULL REFERENCES runs(id),
                account_id TEXT NOT NULL,
                status TEXT NOT NULL,
                observed_at INTEGER NOT NULL,
                batch_count INTEGER NOT NULL,
                progress_sum INTEGER NOT NULL,
                PRIMARY KEY (run_id, account_id, status)
            ) WITHOUT ROWID;
            """)
    }

    /// Account names and health (`last_success_at`), and the run lease (holder and heartbeat).
    ///
    /// Backfills accounts from the fetches a version-1 database already holds.
    static func v2(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                manager TEXT NOT NULL DEFAULT '',
                first_collected_at INTEGER,
                last_success_at INTEGER
            ) WITHOUT ROWID;
            INSERT INTO accounts (id, name, manager, first_collected_at, last_success_at)
                SELECT account_id, account_id, '',
                       MIN(CASE WHEN outcome = 'ok' THEN observed_at END),
                       MAX(CASE WHEN outcome = 'ok' THEN observed_at END)
                FROM account_fetches GROUP BY account_id;

            ALTER TABLE runs ADD COLUMN holder TEXT;
            ALTER TABLE runs ADD COLUMN heartbeat_at INTEGER;
            """)
    }

    /// Retries per fetch, for collection health; older fetches count none.
    static func v3(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE account_fetches ADD COLUMN retries INTEGER NOT NULL DEFAULT 0")
    }

    /// The open batches, for the night's batch tables: a long history is almost all finished
    /// batches, and a report must not read them to find the few that are still running.
    static func v4(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX batches_open ON batches(account_id, batch_id) WHERE status IN ('pending', 'in_progress')
            """)
    }

    /// Each progress or status event's gain over the batch's previous observation, kept with the
    /// event: the trends read a month of gains as a range of one index instead of replaying every
    /// changed batch's events with a window function (4.4 s of a 10-second trend at 10,000 accounts).
    ///
    /// Backfills the events a version-4 database holds with the rule the query used to apply.
    static func v5(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE batch_events ADD COLUMN gain INTEGER;
            UPDATE batch_events SET gain = steps.gain
            FROM (
                SELECT id, kind,
                       progress - LAG(progress) OVER (PARTITION BY account_id, batch_id ORDER BY observed_at, id) AS gain
                FROM batch_events
            ) AS steps
            WHERE batch_events.id = steps.id AND steps.kind IN ('progress', 'status') AND steps.gain IS NOT NULL;
            CREATE INDEX batch_events_gains ON batch_events(observed_at, account_id, gain) WHERE gain > 0;
            """)
    }

    /// Each batch's latest event time, and the open batches' state in one small index: a night
    /// lists every open batch, and in a long history most of them have sat still for months (a
    /// batch stuck for good stays open). Their state is their stored row, read from this index
    /// alone, instead of three probes of the events and one of the ledger each (1.5 s of a
    /// 10,000-account report after 180 nights).
    ///
    /// Backfills the open batches, the only ones the night reads it for; the others get theirs
    /// with their next event. `present` is in the index although its condition says it: without
    /// it SQLite looks each row up in the ledger to test it again.
    static func v6(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE batches ADD COLUMN last_event_at INTEGER;
            UPDATE batches SET last_event_at = (
                SELECT MAX(e.observed_at) FROM batch_events e WHERE e.account_id = batches.account_id AND e.batch_id = batches.batch_id)
            WHERE status IN ('pending', 'in_progress');
            DROP INDEX batches_open;
            CREATE INDEX batches_open_state ON batches(account_id, batch_id, status, progress, first_seen_at, last_event_at, present)
                WHERE status IN ('pending', 'in_progress') AND present = 1;
            """)
    }
}
