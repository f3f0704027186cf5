/// How one account's collection ended in one run (SPEC section 3, `account_fetches.outcome`).
public enum FetchOutcome: String, CaseIterable, Sendable, Hashable, Codable {
    case ok
    case unauthorized
    case forbidden
    case rateLimited = "rate_limited"
    case timeout
    case network
    case serverError = "server_error"
    case badResponse = "bad_response"
    case skippedDeadline = "skipped_deadline"
}
