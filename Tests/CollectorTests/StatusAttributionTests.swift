import Collector
import FPModel
import FirstPromoterAPI
import Testing

@Suite struct StatusAttributionTests {
    @Test func theCallThatReturnedAnIdGivesItsStatus() {
        let merged = StatusAttribution.merge([
            (.pending, ["3": 0]), (.inProgress, ["1": 40]), (.completed, ["2": 100]), (.failed, [:]), (.stopped, [:]),
        ])
        #expect(merged.observations == [
            BatchObservation(batchID: "1", status: .inProgress, progress: 40),
            BatchObservation(batchID: "2", status: .completed, progress: 100),
            BatchObservation(batchID: "3", status: .pending, progress: 0),
        ])
        #expect(merged.anomalies.isEmpty)
    }

    @Test func anIdUnderTwoStatusesTakesTheLaterOneAndIsAnAnomaly() {
        // Asked in lifecycle order, and in reverse: the answer is the same.
        let forward = StatusAttribution.merge([(.pending, ["9": 0]), (.inProgress, ["9": 5])])
        let backward = StatusAttribution.merge([(.completed, ["9": 100]), (.inProgress, ["9": 95])])
        #expect(forward.observations == [BatchObservation(batchID: "9", status: .inProgress, progress: 5)])
        #expect(forward.anomalies == [StatusAnomaly(batchID: "9", statuses: [.pending, .inProgress])])
        #expect(backward.observations == [BatchObservation(batchID: "9", status: .completed, progress: 100)])
        #expect(backward.anomalies == [StatusAnomaly(batchID: "9", statuses: [.inProgress, .completed])])
    }

    @Test func idsSortNumerically() {
        let merged = StatusAttribution.merge([(.completed, ["10": 100, "9": 100, "100": 100])])
        #expect(merged.observations.map(\.batchID) == ["9", "10", "100"])
    }
}

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    func error(_ outcome: FetchOutcome, retryAfter: Double? = nil) -> FirstPromoterAPIError {
        FirstPromoterAPIError(outcome: outcome, accountID: "a", detail: "", retryAfterSeconds: retryAfter)
    }

    @Test func fullJitterGrowsExponentiallyUpToTheCap() {
        #expect(policy.delay(after: error(.serverError), attempt: 1, random: 0.999) == 0.999)
        #expect(policy.delay(after: error(.serverError), attempt: 3, random: 1) == 4)
        #expect(policy.delay(after: error(.rateLimited), attempt: 1, random: 1) == 2)
        #expect(policy.delay(after: error(.rateLimited), attempt: 3, random: 0.5) == 4)
        #expect(policy.delay(after: error(.timeout), attempt: 2, random: 0) == 0)
        let capped = RetryPolicy(maxAttempts: 10)
        #expect(capped.delay(after: error(.rateLimited), attempt: 9, random: 1) == 60)
        #expect(capped.delay(after: error(.network), attempt: 9, random: 1) == 20)
    }

    @Test func retryAfterWins() {
        #expect(policy.delay(after: error(.rateLimited, retryAfter: 13), attempt: 1, random: 0.1) == 13)
    }

    @Test(arguments: [FetchOutcome.unauthorized, .forbidden, .badResponse])
    func neverRetries(_ outcome: FetchOutcome) {
        #expect(policy.delay(after: error(outcome), attempt: 1, random: 0.5) == nil)
    }

    @Test func givesUpAfterTheLastAttempt() {
        #expect(policy.delay(after: error(.serverError), attempt: 4, random: 0.5) == nil)
        #expect(policy.delay(after: error(.serverError), attempt: 3, random: 0.5) != nil)
    }
}
