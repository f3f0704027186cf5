import FPModel
import FirstPromoterAPI
import Foundation
import HistoryStore

extension Collector {
    /// Asks the API once per status for one account, retrying what may succeed, and merges the answers.
    ///
    /// Never throws: every way an account can fail becomes its outcome, so one account cannot stop the run.
    func collect(_ account: Account, guards: RunGuards) async -> AccountFetchResult {
        let key: APIKey
        switch keys(account) {
        case .success(let found): key = found
        case .failure(let missing):
            return AccountFetchResult(account: account, outcome: .unauthorized, attempts: 0, error: missing.reason)
        }
        let started = clock.now()
        var tracker = AttemptTracker(account: account, startedAt: started)
        guard started < guards.deadline else {
            return tracker.result(.skippedDeadline, http: nil, error: "the run deadline passed before this account started", now: started)
        }
        var answers: [(status: BatchStatus, progress: [String: Int])] = []
        for status in BatchStatus.allCases {
            var attempt = 0
            while true {
                attempt += 1
                switch await send(account, key: key, status: status, guards: guards, tracker: &tracker, attempt: attempt) {
                case .success(let progress):
                    answers.append((status, progress))
                case .failure(let stop):
                    return stop
                case .retry:
                    continue
                }
                break
            }
        }
        let merged = StatusAttribution.merge(answers)
        if !merged.anomalies.isEmpty {
            logger.info("batches moved between status calls", metadata: [
                "account": "\(account.id)", "batches": "\(merged.anomalies.map(\.batchID).joined(separator: ","))",
            ])
        }
        var ok = tracker.result(.ok, http: 200, error: nil, now: clock.now())
        ok.observations = merged.observations
        ok.anomalies = merged.anomalies
        return ok
    }

    private enum Step {
        case success([String: Int])
        case retry
        case failure(AccountFetchResult)
    }

    /// One attempt of one status call, behind every guard; decides whether to retry.
    private func send(
        _ account: Account, key: APIKey, status: BatchStatus, guards: RunGuards, tracker: inout AttemptTracker, attempt: Int
    ) async -> Step {
        // The breaker first: an open circuit means waiting (or giving up), not sending.
        while true {
            let now = clock.now()
            if now >= guards.deadline {
                return .failure(tracker.result(.skippedDeadline, http: nil, error: "the run deadline passed", now: now))
            }
            switch await guards.breaker.decide(now: now) {
            case .proceed: break
            case .giveUp:
                return .failure(tracker.result(
                    tracker.lastFailure?.outcome ?? .serverError, http: tracker.lastFailure?.httpStatus,
                    error: "not attempted: the API kept failing and the circuit breaker gave up for this run", now: now))
            case .wait(let seconds):
                if (try? await clock.sleep(seconds: min(seconds, guards.deadline - now + 0.001))) == nil {
                    return .failure(tracker.result(.skippedDeadline, http: nil, error: "run cancelled", now: clock.now()))
                }
                continue
            }
            break
        }
        let wait = await guards.rate.reserve(account.id, now: clock.now())
        if wait > 0, (try? await clock.sleep(seconds: wait)) == nil {
            return .failure(tracker.result(.skippedDeadline, http: nil, error: "run cancelled", now: clock.now()))
        }
        await guards.adaptive.acquire()
        tracker.requests += 1
        tracker.mostAttempts = max(tracker.mostAttempts, attempt)
        let outcome: Result<[String: Int], FirstPromoterAPIError>
        do {
            outcome = .success(try await client.progress(accountID: account.id, apiKey: key, statuses: [status], redactor: guards.redactor))
        } catch {
            outcome = .failure(error as? FirstPromoterAPIError
                ?? FirstPromoterAPIError(outcome: .network, accountID: account.id, detail: "\(error)"))
        }
        // What the server said goes into the history, the logs and the reports: no key in it, whichever account's.
        var failure: FirstPromoterAPIError? = if case .failure(let error) = outcome { error } else { nil }
        if let detail = failure?.detail { failure?.detail = guards.redactor.redact(detail) }
        let now = clock.now()
        await guards.adaptive.release(rateLimited: failure?.outcome == .rateLimited, now: now)
        let serverTrouble = failure.map { [.serverError, .timeout, .network].contains($0.outcome) } ?? false
        await guards.breaker.record(failure: serverTrouble, now: now)

        guard let failure else {
            if case .success(let progress) = outcome { return .success(progress) }
            return .retry
        }
        tracker.lastFailure = failure
        if failure.outcome == .rateLimited {
            tracker.rateLimited += 1
            await guards.rate.slowDown(account.id, now: now)
        }
        guard !Task.isCancelled, let delay = configuration.retry.delay(after: failure, attempt: attempt, random: random()) else {
            logger.info("account failed", metadata: [
                "account": "\(account.id)", "outcome": "\(failure.outcome.rawValue)", "status": "\(status.rawValue)",
            ])
            return .failure(tracker.result(failure.outcome, http: failure.httpStatus, error: failure.detail, now: now))
        }
        let deadline = configuration.accountDeadlineSeconds
        guard now - tracker.startedAt + delay < deadline else {
            // Waiting would pass the account's deadline: end now, as what the server said (a 429
            // asking for more time than is left is rate_limited, not a timeout).
            return .failure(tracker.result(
                failure.outcome, http: failure.httpStatus,
                error: "\(failure.detail); waiting \(Int(delay.rounded(.up))) s more would pass the account deadline of \(Int(deadline)) s",
                now: now))
        }
        guard now + delay < guards.deadline else {
            return .failure(tracker.result(
                .skippedDeadline, http: failure.httpStatus, error: "the run deadline passed while retrying: \(failure.detail)", now: now))
        }
        guard await guards.budget.take() else {
            return .failure(tracker.result(
                failure.outcome, http: failure.httpStatus, error: "\(failure.detail) (run retry budget spent)", now: now))
        }
        logger.debug("retrying", metadata: [
            "account": "\(account.id)", "outcome": "\(failure.outcome.rawValue)",
            "attempt": "\(attempt)", "delay_s": "\(String(format: "%.2f", delay))",
        ])
        tracker.retries += 1
        if (try? await clock.sleep(seconds: delay)) == nil {
            return .failure(tracker.result(.skippedDeadline, http: failure.httpStatus, error: "run cancelled while retrying", now: clock.now()))
        }
        return .retry
    }

    /// Counters of one account's attempts, turned into its result.
    struct AttemptTracker {
        let account: Account
        let startedAt: Double
        var requests = 0
        var retries = 0
        var rateLimited = 0
        var mostAttempts = 0
        var lastFailure: FirstPromoterAPIError?

        init(account: Account, startedAt: Double) {
            self.account = account
            self.startedAt = startedAt
        }

        func result(_ outcome: FetchOutcome, http: Int?, error: String?, now: Double) -> AccountFetchResult {
            AccountFetchResult(
                account: account, outcome: outcome, httpStatus: http, attempts: mostAttempts, requests: requests,
                retries: retries, rateLimited: rateLimited, latencyMillis: Int(max(0, now - startedAt) * 1000), error: error)
        }
    }
}
