/// A token bucket per `Account-ID`: at most `perMinute` requests a minute with a small burst.
///
/// A caller reserves a token and is told how long to wait for it, so waiting happens outside the
/// actor and requests of one account queue up in order. A 429 halves that account's rate and
/// empties its bucket: the API's real limit may be lower than configured, or shared with others.
public actor AccountRateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Double
        var rate: Double
    }

    private let ratePerSecond: Double
    private let burst: Double
    private var buckets: [String: Bucket] = [:]

    public init(perMinute: Int, burst: Int = 5) {
        ratePerSecond = Double(max(1, perMinute)) / 60
        self.burst = Double(max(1, burst))
    }

    /// Takes a token for `account` at time `now`; returns the seconds to wait before sending.
    public func reserve(_ account: String, now: Double) -> Double {
        var bucket = refilled(account, now: now)
        bucket.tokens -= 1
        buckets[account] = bucket
        return bucket.tokens >= 0 ? 0 : -bucket.tokens / bucket.rate
    }

    /// After a 429: halve the account's rate (down to one a minute) and spend its saved tokens.
    public func slowDown(_ account: String, now: Double) {
        var bucket = refilled(account, now: now)
        bucket.rate = max(1.0 / 60, bucket.rate / 2)
        bucket.tokens = min(bucket.tokens, 0)
        buckets[account] = bucket
    }

    /// The account's current rate, requests per minute.
    public func perMinute(_ account: String) -> Double { (buckets[account]?.rate ?? ratePerSecond) * 60 }

    private func refilled(_ account: String, now: Double) -> Bucket {
        var bucket = buckets[account] ?? Bucket(tokens: burst, updated: now, rate: ratePerSecond)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * bucket.rate)
        bucket.updated = now
        return bucket
    }
}

/// A run-wide cap on requests in flight that halves on 429 and grows back by one per window of
/// successes (additive increase, multiplicative decrease), so a rate-limited API gets relief.
public actor AdaptiveLimiter {
    public private(set) var limit: Double
    private let maximum: Double
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var lastDecrease = -Double.infinity

    public init(maximum: Int) {
        self.maximum = Double(max(1, maximum))
        limit = self.maximum
    }

    public func acquire() async {
        if inFlight < Int(limit) {
            inFlight += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Releases a slot; `rateLimited` halves the limit (at most once a second), success adds 1/limit.
    public func release(rateLimited: Bool, now: Double) {
        inFlight -= 1
        if rateLimited {
            if now - lastDecrease >= 1 {
                limit = max(1, limit / 2)
                lastDecrease = now
            }
        } else {
            limit = min(maximum, limit + 1 / limit)
        }
        while inFlight < Int(limit), !waiters.isEmpty {
            inFlight += 1
            waiters.removeFirst().resume()
        }
    }
}

/// Retries allowed in the whole run, so a struggling API is not hammered by every account's retries.
public actor RetryBudget {
    public private(set) var remaining: Int

    public init(_ total: Int) { remaining = max(0, total) }

    public func take() -> Bool {
        guard remaining > 0 else { return false }
        remaining -= 1
        return true
    }
}
