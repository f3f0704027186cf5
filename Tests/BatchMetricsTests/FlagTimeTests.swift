import BatchMetrics
import FPModel
import Foundation
import HistoryStore
import SQLiteHistory
import Testing

/// Stuck and old pending are judged at the window's end, inclusive (SPEC section 4).
@Suite struct FlagTimeTests {
    @Test func aBatchExactlyTheThresholdOldAtTheWindowsEndIsFlagged() async throws {
        let window = ReportWindow(date: "2026-11-14", timeZone: .gmt)!
        let store = try SQLiteHistoryStore.inMemory()
        let account = Account(id: "a", name: "A", manager: "")
        // Batches 1 and 2 observed exactly 24 h before the window's end, then unchanged; batch 3
        // from a run one second later, so it is a second short of 24 h at the end.
        for asOf in [window.end - 86_400, window.end - 86_399, window.end - 3_600] {
            let run = try await store.beginRun(RunStart(asOf: asOf, startedAt: asOf, toolVersion: "t", configDigest: "d", holder: "h"))
            var observations = [
                BatchObservation(batchID: "1", status: .inProgress, progress: 40),
                BatchObservation(batchID: "2", status: .pending, progress: 0),
            ]
            if asOf > window.end - 86_400 { observations.append(BatchObservation(batchID: "3", status: .pending, progress: 0)) }
            _ = try await store.record(
                AccountFetchResult(account: account, outcome: .ok, httpStatus: 200, requests: 5, observations: observations), run: run)
            try await store.finishRun(run, state: .finished, totals: RunTotals(), finishedAt: asOf + 10)
        }
        let night = try await MetricsEngine(history: store).night(window)
        let flags = Dictionary(uniqueKeysWithValues: night.flagged.map { ($0.batchID, $0.reason) })
        #expect(flags == ["1": .stuck, "2": .oldPending])
        #expect(night.accounts.first?.stuck == 1)
        #expect(night.accounts.first?.oldPending == 1)
    }
}
