import BatchMetrics
import FPModel
import Foundation
import HistoryStore
import SQLiteHistory
import Reports

/// A small, fixed history written through the real store: three accounts over three days, with
/// hostile names, a failed collection and a stuck batch. Every report test reads this one.
enum ReportFixture {
    static let zone = TimeZone(identifier: "Europe/Berlin")!
    /// 2026-11-12T03:00:00Z
    static let firstRun: Int64 = 1_794_452_400

    static let accounts = [
        Account(id: "acc-1", name: "=HYPERLINK(\"http://x\",\"click\")", manager: "Ana Souza"),
        Account(id: "../../etc/passwd", name: "<script>alert(1)</script> \u{202E}evil\u{202C} 🚀", manager: "Ben <b>Okafor</b>"),
        Account(id: "acc-3", name: "Cobalt, \"Quoted\" Ltd", manager: "Ana Souza"),
    ]

    /// Runs every 12 hours for three days; batches move along a fixed script.
    static func history() async throws -> SQLiteHistoryStore {
        let store = try SQLiteHistoryStore.inMemory()
        for step in 0..<6 {
            let asOf = firstRun + Int64(step) * 12 * 3600
            let run = try await store.beginRun(RunStart(asOf: asOf, startedAt: asOf, toolVersion: "test", configDigest: "d", holder: "t"))
            for (index, account) in accounts.enumerated() {
                let result: AccountFetchResult
                if index == 1 && step == 5 {
                    result = AccountFetchResult(
                        account: account, outcome: .forbidden, httpStatus: 403, requests: 1,
                        error: "forbidden: <b>no</b> access")
                } else {
                    result = AccountFetchResult(
                        account: account, outcome: .ok, httpStatus: 200, requests: 5,
                        latencyMillis: 40 + index * 10 + step, observations: observations(account: index, step: step))
                }
                _ = try await store.record(result, run: run)
            }
            var totals = RunTotals()
            totals.accountsTotal = accounts.count
            try await store.finishRun(run, state: .finished, totals: totals, finishedAt: asOf + 30)
        }
        return store
    }

    /// Account `a` at run `step`: one batch per step arrives pending, runs for a step, then
    /// completes, except every third which fails; batch 1 of each account is stuck at 40 %.
    static func observations(account a: Int, step: Int) -> [BatchObservation] {
        var batches = [BatchObservation(batchID: "\(a)001", status: .inProgress, progress: 40)]
        for arrival in 0...step {
            let id = "\(a)\(100 + arrival)"
            let age = step - arrival
            switch age {
            case 0: batches.append(.init(batchID: id, status: .pending, progress: 0))
            case 1: batches.append(.init(batchID: id, status: .inProgress, progress: 30 + 10 * a))
            default:
                let fails = (arrival + a) % 3 == 0
                batches.append(.init(batchID: id, status: fails ? .failed : .completed, progress: fails ? 55 : 100))
            }
        }
        return batches
    }

    static func data(_ store: SQLiteHistoryStore, date: String = "2026-11-14", days: Int = 7) async throws -> ReportData {
        let window = ReportWindow(date: date, timeZone: zone)!
        let thresholds = MetricsEngine.Thresholds(minFinishedForRanking: 1)
        let engine = MetricsEngine(history: store, thresholds: thresholds)
        return ReportData(
            night: try await engine.night(window), trends: try await engine.trends(endingWith: window, days: days),
            thresholds: thresholds, toolVersion: "test")
    }
}
