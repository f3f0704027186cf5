import Collector
import FPModel
import HistoryStore
import Testing

/// The summary line a collector in a shared run ends with: how the whole run stood.
struct CollectionReportTests {
    func report(_ run: SharedRunProgress, outsideList: Int = 0) -> CollectionReport {
        var report = CollectionReport(
            runID: 7, asOf: 0, totals: RunTotals(), outcomes: [:], failures: [], latencyP50Millis: nil, latencyP95Millis: nil,
            seconds: 1, aborted: false)
        report.sharedRun = run
        report.leftOutsideList = outsideList
        return report
    }

    @Test func anUnfinishedSharedRunSaysWhatIsLeftAndWhetherThisCollectorCouldTakeIt() {
        var run = SharedRunProgress()
        (run.total, run.done, run.collectors) = (6, 4, ["a": 4])
        #expect(report(run).summaryLine.hasSuffix("; shared run: 4 of 6 accounts done by 1 collector(s), still running (2 to do)"))
        #expect(report(run, outsideList: 2).summaryLine.hasSuffix(
            "; shared run: 4 of 6 accounts done by 1 collector(s), still running (2 to do, 2 of them not in this collector's list)"))
        (run.done, run.finished) = (6, true)
        #expect(report(run).summaryLine.hasSuffix("; shared run: 6 of 6 accounts done by 1 collector(s), finished"))
    }
}
