import FPModel
import FirstPromoterAPI
import Foundation
import HistoryStore

extension Collector {
    /// Asks the API once per status for one account, retrying what may succeed, and merges the answers.
    ///
    /// Never throws: every way an account can fail becomes its outcome, so one account cannot stop the run.
    func collect(_ account: Account) async -> AccountFetchResult {
        let key: APIKey
        switch keys(account) {
        case .success(let found): key = found
        case .failure(let missing):
            return AccountFetchResult(account: account, outcome: .unauthorized, attempts: 0, error: missing.reason)
        }
        let clock = ContinuousClock()
        let started = clock.now
        var answers: [(status: BatchStatus, progress: [String: Int])] = []
        var requests = 0
        var retries = 0
        var rateLimited = 0
        var mostAttempts = 0
        func elapsedSeconds() -> Double {
            let elapsed = clock.now - started
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        func result(_ outcome: FetchOutcome, http: Int?, error: String?) -> AccountFetchResult {
            AccountFetchResult(
                account: account, outcome: outcome, httpStatus: http, attempts: mostAttempts, requests: requests,
                retries: retries, rateLimited: rateLimited, latencyMillis: Int(elapsedSeconds() * 1000), error: error)
        }

        for status in BatchStatus.allCases {
            var attempt = 0
            while true {
                attempt += 1
                requests += 1
                mostAttempts = max(mostAttempts, attempt)
                do {
                    let progress = try await client.progress(accountID: account.id, apiKey: key, statuses: [status])
                    answers.append((status, progress))
                    break
                } catch {
                    let failure = error as? FirstPromoterAPIError
                        ?? FirstPromoterAPIError(outcome: .network, accountID: account.id, detail: "\(error)")
                    if failure.outcome == .rateLimited { rateLimited += 1 }
                    let deadline = configuration.accountDeadlineSeconds
                    guard !Task.isCancelled,
                        let delay = configuration.retry.delay(after: failure, attempt: attempt, random: random())
                    else {
                        logger.info("account failed", metadata: [
                            "account": "\(account.id)", "outcome": "\(failure.outcome.rawValue)", "status": "\(status.rawValue)",
                        ])
                        return result(failure.outcome, http: failure.httpStatus, error: failure.detail)
                    }
                    guard elapsedSeconds() + delay < deadline else {
                        return result(
                            .timeout, http: failure.httpStatus,
                            error: "account deadline of \(Int(deadline)) s reached while retrying: \(failure.detail)")
                    }
                    logger.debug("retrying", metadata: [
                        "account": "\(account.id)", "outcome": "\(failure.outcome.rawValue)",
                        "attempt": "\(attempt)", "delay_s": "\(String(format: "%.2f", delay))",
                    ])
                    retries += 1
                    do { try await sleep(delay) } catch {
                        return result(.skippedDeadline, http: failure.httpStatus, error: "run cancelled while retrying")
                    }
                }
            }
        }
        let merged = StatusAttribution.merge(answers)
        if !merged.anomalies.isEmpty {
            logger.info("batches moved between status calls", metadata: [
                "account": "\(account.id)", "batches": "\(merged.anomalies.map(\.batchID).joined(separator: ","))",
            ])
        }
        var ok = result(.ok, http: 200, error: nil)
        ok.observations = merged.observations
        ok.anomalies = merged.anomalies
        return ok
    }
}
