import FPModel

/// Why a progress request did not yield a progress map.
///
/// Carries what a person needs to act (account, HTTP status, the API's message, a short escaped
/// excerpt of a bad body) and never the API key or request headers.
public struct FirstPromoterAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The outcome this error is recorded as in the history.
    public var outcome: FetchOutcome
    /// The `Account-ID` the request was for.
    public var accountID: String
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// A short, printable explanation: the API's message, a decoding problem and an excerpt of the body.
    public var detail: String
    /// The server's `Retry-After`, in seconds, when it sent one.
    public var retryAfterSeconds: Double?

    public init(
        outcome: FetchOutcome, accountID: String, httpStatus: Int? = nil, detail: String,
        retryAfterSeconds: Double? = nil
    ) {
        self.outcome = outcome
        self.accountID = accountID
        self.httpStatus = httpStatus
        self.detail = detail
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Whether another attempt may succeed: 429, 5xx, 408, timeouts and network errors.
    public var isRetryable: Bool {
        switch outcome {
        case .rateLimited, .serverError, .timeout, .network: true
        case .ok, .unauthorized, .forbidden, .badResponse, .skippedDeadline: false
        }
    }

    public var description: String {
        let status = httpStatus.map { " (HTTP \($0))" } ?? ""
        return "account \(accountID): \(outcome.rawValue)\(status): \(detail)"
    }
}
