import BatchMetrics
import FPModel
import Foundation
import HistoryStore
import SQLiteHistory
import Testing

/// A night's batch tables follow the night, not the history: over a long history, mostly of
/// batches finished long ago, the night lists only its own batches, and every figure equals one
/// worked out independently from all the events.
@Suite struct NightScopeAtScaleTests {
    @Test func aLongHistoryListsOnlyTheNightsBatchesAndItsFiguresAreUnchanged() async throws {
        // Given two months of a 1,000-account fleet that gains about four batches a day per account.
        let start: Int64 = 1_790_000_000
        let nights = 60
        let store = try SQLiteHistoryStore.inMemory()
        let totals = try await SyntheticHistory(accounts: 1000, nights: nights, start: start).write(into: store)
        #expect(totals.batches > 200_000)
        let window = ReportWindow(containing: Date(unixSeconds: start + Int64(nights - 1) * 86_400), timeZone: .gmt)
        let thresholds = MetricsEngine.Thresholds()

        // When the last night is computed.
        let night = try await MetricsEngine(history: store, thresholds: thresholds).night(window)

        // Then, replaying every event up to the window's end by hand: the state of every batch ...
        struct State { var event: BatchEventRecord; var firstSeenAt: Int64; var terminalAt: Int64? }
        var states: [String: State] = [:]
        for event in try await store.events(from: 0, to: night.stateTime + 1) {
            let key = event.accountID + "/" + event.batchID
            var state = states[key] ?? State(event: event, firstSeenAt: event.observedAt, terminalAt: nil)
            state.event = event
            if event.status.isTerminal, event.kind != .disappeared, state.terminalAt == nil { state.terminalAt = event.observedAt }
            states[key] = state
        }
        let baselines = Dictionary(uniqueKeysWithValues: try await store.accounts().map { ($0.id, $0.firstCollectedAt) })
        let all = states.values.filter { $0.event.kind != .disappeared }.map {
            BatchStateRecord(
                accountID: $0.event.accountID, batchID: $0.event.batchID, status: $0.event.status, progress: $0.event.progress,
                firstSeenAt: $0.firstSeenAt, lastChangeAt: $0.event.observedAt, terminalAt: $0.terminalAt)
        }
        // ... the night's are those open at its end or changed in it, less the first collection's finds.
        let expected = all.filter { state in
            let open = !state.status.isTerminal
            let changed = state.lastChangeAt >= window.start
            let baselineOnly = state.lastChangeAt == state.firstSeenAt && state.firstSeenAt <= (baselines[state.accountID] ?? nil) ?? 0
            return open || (changed && !baselineOnly)
        }
        func key(_ state: BatchStateRecord) -> String { state.accountID + "/" + state.batchID }
        #expect(Set(night.batches.map(key)) == Set(expected.map(key)))
        #expect(Set(night.batches) == Set(expected))
        #expect(night.batches.count * 10 < all.count, "the night lists a small part of \(all.count) batches")
        #expect(night.batches.contains { $0.status == .completed }, "batches that finished in the window are listed")
        #expect(night.batches.contains { $0.status == .inProgress })

        // Flags are worked out over every batch, as before: none is lost by the narrower read.
        let flagged = all.compactMap { thresholds.flag($0, at: night.flagTime) }
        #expect(Set(night.flagged) == Set(flagged))
        #expect(!flagged.isEmpty)

        // End-of-window counts still count every batch, finished long ago or not.
        var counts: [String: StatusCounts] = [:]
        for state in all { counts[state.accountID, default: StatusCounts()][state.status] += 1 }
        for account in night.accounts {
            #expect(account.countsAtEnd == counts[account.accountID], "counts of \(account.accountID)")
        }
        #expect(night.statuses.map(\.atEnd).reduce(0, +) == all.count)

        // And what entered a status in the window is what the events of the window say.
        // (a status change, or a first sighting after the account's first collection).
        let entered = try await store.events(from: window.start, to: window.end).filter {
            $0.kind == .status || ($0.kind == .firstSeen && $0.observedAt > (baselines[$0.accountID] ?? nil) ?? .max)
        }
        #expect(night.fleetCompleted == entered.filter { $0.status == .completed }.count)
        #expect(night.fleetFailed == entered.filter { $0.status == .failed }.count)
        #expect(night.fleetCompleted > 0 && night.fleetFailed > 0)
    }
}
