import FPModel
import FirstPromoterAPI

/// When and how long to wait before trying a request again.
///
/// Full jitter (`random(0, min(cap, base × 2^n))`) spreads the retries of many accounts so they do
/// not come back together; 429 waits longer than 5xx. `Retry-After` (on a 429 or a 5xx) wins when
/// the server sends it, up to ``retryAfterCap``: a server that asks for longer is not asked again
/// in this run, rather than asked early or waited for past the night.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var rateLimitBase: Double
    public var rateLimitCap: Double
    public var errorBase: Double
    public var errorCap: Double
    public var retryAfterCap: Double

    public init(
        maxAttempts: Int = 4, rateLimitBase: Double = 2, rateLimitCap: Double = 60, errorBase: Double = 1,
        errorCap: Double = 20, retryAfterCap: Double = 120
    ) {
        self.maxAttempts = maxAttempts
        self.rateLimitBase = rateLimitBase
        self.rateLimitCap = rateLimitCap
        self.errorBase = errorBase
        self.errorCap = errorCap
        self.retryAfterCap = retryAfterCap
    }

    /// Seconds to wait after failed attempt number `attempt` (1-based), or nil to give up.
    public func delay(after error: FirstPromoterAPIError, attempt: Int, random: Double) -> Double? {
        guard error.isRetryable, attempt < maxAttempts else { return nil }
        if let retryAfter = error.retryAfterSeconds { return retryAfter <= retryAfterCap ? retryAfter : nil }
        let (base, cap) = error.outcome == .rateLimited ? (rateLimitBase, rateLimitCap) : (errorBase, errorCap)
        let ceiling = min(cap, base * Double(1 << min(attempt - 1, 20)))
        return ceiling * min(max(random, 0), 1)
    }
}
