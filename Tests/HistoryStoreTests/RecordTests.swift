import FPModel
import Testing

import HistoryStore
@testable import SQLiteHistory

/// History as changes: what one account's result writes, and what it must not write twice. A
/// conformance suite: every test runs against each backend (``Backend/available``).
@Suite struct RecordTests {
    let account = Account(id: "acc-1", name: "One", manager: "Ana")

    func start(_ asOf: Int64) -> RunStart {
        RunStart(asOf: asOf, startedAt: asOf, toolVersion: "test", configDigest: "d", holder: "test:1")
    }

    func ok(_ batches: [(String, BatchStatus, Int)]) -> AccountFetchResult {
        AccountFetchResult(
            account: account, outcome: .ok, httpStatus: 200, requests: 5,
            observations: batches.map { BatchObservation(batchID: $0.0, status: $0.1, progress: $0.2) })
    }

    /// Runs one collection of `result` at `asOf` and returns what it wrote.
    @discardableResult
    func collect(_ store: any HistoryDatabase, at asOf: Int64, _ result: AccountFetchResult) async throws -> AccountWriteSummary {
        let run = try await store.beginRun(start(asOf))
        let summary = try await store.record(result, run: run)
        try await store.finishRun(run, state: .finished, totals: RunTotals(), finishedAt: asOf + 10)
        return summary
    }

    func events(_ store: any HistoryDatabase) async throws -> [BatchEventRecord] {
        try await store.events(from: 0, to: .max)
    }

    @Test(arguments: Backend.available) func firstRunWritesFirstSeenEventsAndFiveCounts(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        let written = try await collect(store, at: 1000, ok([("1", .pending, 0), ("2", .inProgress, 40), ("3", .completed, 100)]))
        #expect(written == AccountWriteSummary(eventsWritten: 3, batchesCompared: 3))
        #expect(try await events(store).map(\.kind) == [.firstSeen, .firstSeen, .firstSeen])
        #expect(try await history.count("run_status_counts") == 5)
        let counts = try #require(try await store.statusCounts(atOrBefore: 1000).first)
        #expect(counts.counts == [.pending: 1, .inProgress: 1, .completed: 1, .failed: 0, .stopped: 0])
        // Each status's progress sum is kept too (SPEC section 3), though no figure reads it.
        if let exporter = store as? any HistoryExporting {
            let run = try #require(try await exporter.storedRuns().first)
            #expect(try await exporter.storedContents(of: run).counts.first { $0.status == .inProgress }?.progressSum == 40)
        }
    }

    @Test(arguments: Backend.available) func unchangedBatchesAddNoEventAndChangesAddOneEach(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        try await collect(store, at: 1000, ok([("1", .pending, 0), ("2", .inProgress, 40), ("3", .completed, 100)]))
        let unchanged = try await collect(store, at: 2000, ok([("1", .pending, 0), ("2", .inProgress, 40), ("3", .completed, 100)]))
        #expect(unchanged.eventsWritten == 0)
        let changed = try await collect(store, at: 3000, ok([("1", .inProgress, 10), ("2", .inProgress, 70), ("3", .completed, 100)]))
        #expect(changed.eventsWritten == 2)
        let later = try await events(store).filter { $0.observedAt == 3000 }
        #expect(later.map(\.kind) == [.status, .progress])
        #expect(later.map(\.status) == [.inProgress, .inProgress])
        #expect(later.map(\.progress) == [10, 70])
    }

    @Test(arguments: Backend.available) func disappearingAndReappearingBatchesAreEvents(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        try await collect(store, at: 1000, ok([("1", .completed, 100), ("2", .failed, 30)]))
        try await collect(store, at: 2000, ok([("1", .completed, 100)]))
        try await collect(store, at: 3000, ok([("1", .completed, 100)]))
        try await collect(store, at: 4000, ok([("1", .completed, 100), ("2", .failed, 30)]))
        let kinds = try await events(store).filter { $0.batchID == "2" }.map { "\($0.observedAt):\($0.kind.rawValue)" }
        #expect(kinds == ["1000:first_seen", "2000:disappeared", "4000:reappeared"])
    }

    @Test(arguments: Backend.available) func batchStateTracksStatusTimes(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        try await collect(store, at: 1000, ok([("7", .pending, 0)]))
        try await collect(store, at: 2000, ok([("7", .inProgress, 20)]))
        try await collect(store, at: 3000, ok([("7", .inProgress, 20)]))
        try await collect(store, at: 4000, ok([("7", .failed, 20)]))
        let row = try #require(try await store.reduceLedger(firstSeenFrom: nil, to: nil, into: { [] }) { $0.append($1) }.first)
        #expect(row.batchID == "7" && row.status == .failed && row.present)
        #expect(row.firstSeenAt == 1000)
        #expect(row.statusSince == 4000)
        #expect(row.lastProgressChangeAt == 4000)
        #expect(row.terminalAt == 4000)
        #expect(row.lastSeenRun == 4)
    }

    @Test(arguments: Backend.available) func failedAccountChangesNoBatchStateButSaysWhy(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        try await collect(store, at: 1000, ok([("1", .inProgress, 10)]))
        let failed = AccountFetchResult(
            account: account, outcome: .forbidden, httpStatus: 403, requests: 1, error: "forbidden: Invalid user type")
        let written = try await collect(store, at: 2000, failed)
        #expect(written.eventsWritten == 0)
        #expect(try await history.count("batch_events") == 1)
        #expect(try await history.count("run_status_counts") == 5)
        let fetch = try #require(try await store.fetches(from: 2000, to: 2001).first)
        #expect(fetch.outcome == .forbidden)
        #expect(fetch.httpStatus == 403)
        #expect(fetch.error == "forbidden: Invalid user type")
        // The counts at 2000 are still those of the last successful fetch.
        #expect(try await store.statusCounts(atOrBefore: 2000).first?.observedAt == 1000)
        let record = try #require(try await store.accounts().first)
        #expect(record.lastSuccessAt == 1000)
        #expect(record.firstCollectedAt == 1000)
    }

    @Test(arguments: Backend.available) func rerunningTheSameAsOfAddsNothingTwice(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        let batches = ok([("1", .pending, 0), ("2", .completed, 100)])
        try await collect(store, at: 1000, batches)
        try await collect(store, at: 1000, batches)
        #expect(try await history.count("runs") == 1)
        #expect(try await history.count("batch_events") == 2)
        #expect(try await history.count("run_status_counts") == 5)
        #expect(try await history.count("account_fetches") == 1)
    }

    /// Re-running a night that gets another answer leaves one consistent state: the latest
    /// successful observation (SPEC section 3).
    @Test(arguments: Backend.available) func rerunningANightWithAnotherAnswerKeepsTheHistoryConsistent(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        try await collect(store, at: 1000, ok([("1", .inProgress, 40), ("2", .completed, 100)]))
        // The re-run fails for the account: its success of this night stays its state
        try await collect(store, at: 1000, AccountFetchResult(
            account: account, outcome: .serverError, httpStatus: 500, requests: 3, error: "boom"))
        #expect(try await store.consistencyProblems() == [])
        #expect(try await store.fetches(from: 0, to: .max).map(\.outcome) == [.ok])
        #expect(try await store.statusCounts(atOrBefore: 1000).first?.counts[.inProgress] == 1)
        // A second re-run succeeds with a moved batch: fetch, counts, events and batches agree on it
        try await collect(store, at: 1000, ok([("1", .completed, 100), ("2", .completed, 100)]))
        #expect(try await store.consistencyProblems() == [])
        let counts = try #require(try await store.statusCounts(atOrBefore: 1000).first?.counts)
        #expect(counts[.inProgress] == 0 && counts[.completed] == 2)
        #expect(try await history.count("account_fetches") == 1)
        #expect(try await history.count("run_status_counts") == 5)
        let states = try await store.batchStates(at: 1000, activeSince: 0)
        #expect(states.first { $0.batchID == "1" }?.status == .completed)
        // And a failure of a night that had none keeps saying so
        try await collect(store, at: 2000, AccountFetchResult(account: account, outcome: .timeout, requests: 4, error: "slow"))
        try await collect(store, at: 2000, AccountFetchResult(account: account, outcome: .network, requests: 1, error: "reset"))
        #expect(try await store.fetches(from: 2000, to: 2001).map(\.outcome) == [.network])
        #expect(try await store.consistencyProblems() == [])
    }

    @Test(arguments: Backend.available) func historyOnlyMovesForward(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        try await collect(store, at: 2000, ok([]))
        await #expect(throws: HistoryStoreError.self) { try await store.beginRun(start(1000)) }
    }

    @Test(arguments: Backend.available) func aLiveRunHoldsTheLeaseAndAStaleOneIsTakenOver(_ backend: Backend) async throws {
        let history = try await backend.open()
        let store = history.store
        _ = try await store.beginRun(RunStart(asOf: 1000, startedAt: 1000, toolVersion: "t", configDigest: "d", holder: "host:42"))
        let error = await #expect(throws: HistoryStoreError.self) {
            try await store.beginRun(RunStart(asOf: 1100, startedAt: 1100, toolVersion: "t", configDigest: "d", holder: "host:43"))
        }
        #expect(error?.isLeaseHeld == true)
        #expect(error?.holder == "host:42")
        // Five minutes without a heartbeat: the lease is stale and the next run takes over.
        let run = try await store.beginRun(RunStart(asOf: 1400, startedAt: 1400, toolVersion: "t", configDigest: "d", holder: "host:44"))
        let states = try await store.runs(from: 0, to: .max).map(\.state)
        #expect(states == ["aborted", "running"])
        #expect(run == 2)
    }
}
