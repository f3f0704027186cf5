import BatchMetrics
import FPModel
import HistoryStore
import Testing

/// Exact figures for small, hand-written histories.
@Suite struct NightMetricsTests {
    let window = ReportWindow(date: "2026-11-14", timeZone: .gmt)!
    var day: Int64 { window.start }

    func event(_ account: String, _ batch: String, at offset: Int64, _ kind: BatchEventKind, _ status: BatchStatus)
        -> BatchEventRecord
    {
        BatchEventRecord(
            accountID: account, batchID: batch, runID: 1, observedAt: day + offset, kind: kind, status: status,
            progress: status == .completed ? 100 : 0)
    }

    func account(_ id: String, firstCollected: Int64?) -> AccountRecord {
        AccountRecord(id: id, name: id.uppercased(), manager: "m", firstCollectedAt: firstCollected, lastSuccessAt: firstCollected)
    }

    @Test func entriesRatesAndTheBaselineRule() {
        let accounts = [account("a", firstCollected: day - 86_400), account("b", firstCollected: day + 3600)]
        let events = [
            // a: two completed, one failed, one stopped in the window; a progress event is not an entry.
            event("a", "1", at: 3600, .status, .completed),
            event("a", "2", at: 7200, .firstSeen, .completed),
            event("a", "3", at: 7200, .status, .failed),
            event("a", "4", at: 9000, .status, .stopped),
            event("a", "5", at: 9000, .progress, .inProgress),
            // b was first collected in the window: what that collection found is its baseline.
            event("b", "1", at: 3600, .firstSeen, .completed),
            event("b", "2", at: 3600, .firstSeen, .failed),
            event("b", "3", at: 7200, .firstSeen, .pending),
        ]
        let counts = [AccountStatusCounts(
            accountID: "a", observedAt: day + 9000, counts: [.pending: 1, .completed: 9])]
        let night = MetricsEngine.night(
            window: window, accounts: accounts, counts: counts, events: events, fetches: [], runs: [], dataAsOf: nil)

        let a = night.accounts[0]
        #expect(a.entered == [.completed: 2, .failed: 1, .stopped: 1])
        #expect(a.failureRate == 0.25)
        #expect(a.stopRate == 0.25)
        #expect(a.countsAtEnd?[.completed] == 9)

        let b = night.accounts[1]
        #expect(b.entered == [.pending: 1])
        #expect(b.failureRate == nil, "nothing finished: no rate, not 0 %")
        #expect(b.countsAtEnd == nil)

        #expect(night.statuses.map(\.entered) == [1, 0, 2, 1, 1])
        #expect(night.statuses.map(\.atEnd) == [1, 0, 9, 0, 0])
        #expect(night.fleetFailureRate == 0.25)
    }

    @Test func aZeroDenominatorIsNoRate() {
        #expect(Rates.ratio(0, 0) == nil)
        #expect(Rates.ratio(1, 3) == 1.0 / 3.0)
    }

    @Test func collectionOutcomesPerAccount() {
        let fetches = [
            FetchRecord(runID: 1, accountID: "a", observedAt: day + 1, outcome: .ok, httpStatus: 200, attempts: 1,
                        requests: 5, rateLimited: 0, latencyMillis: 10, error: nil),
            FetchRecord(runID: 2, accountID: "a", observedAt: day + 2, outcome: .timeout, httpStatus: nil, attempts: 4,
                        requests: 4, rateLimited: 0, latencyMillis: 10, error: "t"),
            FetchRecord(runID: 1, accountID: "b", observedAt: day + 1, outcome: .forbidden, httpStatus: 403, attempts: 1,
                        requests: 1, rateLimited: 0, latencyMillis: 10, error: "f"),
        ]
        let night = MetricsEngine.night(
            window: window, accounts: [account("a", firstCollected: 0), account("b", firstCollected: nil)], counts: [],
            events: [], fetches: fetches, runs: [], dataAsOf: nil)
        #expect(night.accounts[0].fetchOutcomes == [.ok: 1, .timeout: 1])
        #expect(!night.accounts[0].failedToCollect)
        #expect(night.accounts[1].failedToCollect)
    }
}
