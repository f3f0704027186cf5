import AsyncHTTPClient
import FPModel
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The one remote call fpreport makes: `GET {base_url}/batch_processes/progress` (SPEC section 1).
///
/// One attempt per call; retries, rate limits and deadlines belong to the collector.
public struct FirstPromoterClient: Sendable {
    /// Where and how to call the API.
    public struct Configuration: Sendable {
        /// `https://api.firstpromoter.com/api/v2/company` in production; plain `http://` only for loopback.
        public var baseURL: URL
        /// How long one attempt may take, from sending to the last body byte.
        public var requestTimeout: TimeAmount
        /// Bodies above this many bytes are a `bad_response` (1 MiB by default).
        public var maxBodyBytes: Int
        public var userAgent: String

        public init(
            baseURL: URL,
            requestTimeout: TimeAmount = .seconds(30),
            maxBodyBytes: Int = 1 << 20,
            userAgent: String = "fpreport"
        ) {
            self.baseURL = baseURL
            self.requestTimeout = requestTimeout
            self.maxBodyBytes = maxBodyBytes
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let endpoint: String

    /// A client over a shared `HTTPClient` that the caller owns and shuts down.
    ///
    /// Build the `HTTPClient` with ``makeHTTPClient(connectTimeout:)`` so redirects are never followed.
    public init(configuration: Configuration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        var base = configuration.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base + "/batch_processes/progress"
    }

    /// An `HTTPClient` configured as the API needs: no redirects (a redirect could carry the key to
    /// another host), a connect timeout, and a pool large enough for `concurrency` requests.
    public static func makeHTTPClient(connectTimeout: TimeAmount = .seconds(10), concurrency: Int = 16) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: connectTimeout)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, concurrency)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The query string for a status filter: one status plain, several as a Rails array.
    public static func query(for statuses: [BatchStatus]?) -> String {
        guard let statuses, !statuses.isEmpty else { return "" }
        if statuses.count == 1 { return "?filters%5Bstatus%5D=\(statuses[0].rawValue)" }
        return "?" + statuses.map { "filters%5Bstatus%5D%5B%5D=\($0.rawValue)" }.joined(separator: "&")
    }

    /// The progress of every batch of `accountID` in `statuses` (all statuses when nil).
    ///
    /// What the server sends back is cleaned by `redactor` (by default of `apiKey` alone) before
    /// it is cut to an excerpt, so that not even part of a key survives in an error.
    ///
    /// - Throws: ``FirstPromoterAPIError`` only.
    public func progress(
        accountID: String, apiKey: APIKey, statuses: [BatchStatus]?, redactor: SecretRedactor? = nil
    ) async throws -> [String: Int] {
        let redactor = redactor ?? SecretRedactor([apiKey])
        var request = HTTPClientRequest(url: endpoint + Self.query(for: statuses))
        request.method = .GET
        apiKey.withAuthorizationHeader { request.headers.add(name: "Authorization", value: $0) }
        request.headers.add(name: "Account-ID", value: accountID)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)

        let filter = statuses?.map(\.rawValue).joined(separator: ",") ?? "all"
        do {
            let deadline = NIODeadline.now() + configuration.requestTimeout
            let response = try await httpClient.execute(request, deadline: deadline, logger: logger)
            let status = Int(response.status.code)
            logger.debug("progress response", metadata: ["account": "\(accountID)", "status": "\(filter)", "http": "\(status)"])
            return try await handle(response, status: status, accountID: accountID, redactor: redactor)
        } catch var error as FirstPromoterAPIError {
            error.detail = redactor.redact(error.detail)
            throw error
        } catch {
            var mapped = Self.map(error, accountID: accountID, maxBodyBytes: configuration.maxBodyBytes)
            mapped.detail = redactor.redact(mapped.detail)
            throw mapped
        }
    }

    /// A proxy or gateway may echo the Authorization header in what it sends back: server text
    /// passes through `redactor` whole, before any excerpt could cut a key in two.
    private func handle(
        _ response: HTTPClientResponse, status: Int, accountID: String, redactor: SecretRedactor
    ) async throws -> [String: Int] {
        func fail(_ outcome: FetchOutcome, _ detail: String, retryAfter: Double? = nil) -> FirstPromoterAPIError {
            FirstPromoterAPIError(
                outcome: outcome, accountID: accountID, httpStatus: status, detail: detail, retryAfterSeconds: retryAfter)
        }
        switch status {
        case 200:
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > configuration.maxBodyBytes {
                throw fail(.badResponse, "body of \(length) bytes is over the \(configuration.maxBodyBytes)-byte limit")
            }
            let body = try await response.body.collect(upTo: configuration.maxBodyBytes)
            do {
                return try ProgressDecoder.decode(body.readableBytesView)
            } catch {
                let text = redactor.redact(String(decoding: body.readableBytesView, as: UTF8.self))
                throw fail(.badResponse, "\(redactor.redact(error.reason)); body: \(Excerpt.make(text))")
            }
        case 401:
            throw fail(.unauthorized, "the API key was refused (missing, wrong or revoked)")
        case 403:
            let body = try? await response.body.collect(upTo: 16 << 10)
            throw fail(.forbidden, Self.forbiddenDetail(body, redactor: redactor))
        case 429:
            throw fail(.rateLimited, "over the API's request limit", retryAfter: Self.retryAfter(response.headers))
        case 408:
            throw fail(.timeout, "the server timed out waiting for the request")
        case 500...599:
            throw fail(.serverError, "server error", retryAfter: Self.retryAfter(response.headers))
        case 300...399:
            throw fail(.badResponse, "redirect not followed (an API key is never sent to another location)")
        default:
            throw fail(.badResponse, "unexpected HTTP status \(status)")
        }
    }

    /// `code: message` from a 403 body `{"message": "...", "code": "forbidden"}`, escaped and short.
    static func forbiddenDetail(_ body: ByteBuffer?, redactor: SecretRedactor) -> String {
        struct Forbidden: Decodable { var message: String?; var code: String? }
        guard let body, let parsed = try? JSONDecoder().decode(Forbidden.self, from: Data(body.readableBytesView)) else {
            return "forbidden (no readable error body)"
        }
        let code = Excerpt.make(redactor.redact(parsed.code ?? "forbidden"), limit: 40)
        let message = Excerpt.make(redactor.redact(parsed.message ?? ""), limit: 160)
        return message.isEmpty ? code : "\(code): \(message)"
    }

    /// `Retry-After` as seconds from `now`, from either delta-seconds or an HTTP date.
    public static func retryAfter(_ headers: HTTPHeaders, now: Date = Date()) -> Double? {
        guard let value = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0, seconds.isFinite { return min(seconds, 3600) }
        // An HTTP date: IMF-fixdate, or the obsolete RFC 850 and asctime forms a server may still send.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: value) { return min(max(0, date.timeIntervalSince(now)), 3600) }
        }
        return nil
    }

    static func map(_ error: any Error, accountID: String, maxBodyBytes: Int) -> FirstPromoterAPIError {
        if error is NIOTooManyBytesError {
            return FirstPromoterAPIError(
                outcome: .badResponse, accountID: accountID, httpStatus: 200,
                detail: "body over the \(maxBodyBytes)-byte limit")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return FirstPromoterAPIError(outcome: .timeout, accountID: accountID, detail: "timed out (\(error))")
            default:
                return FirstPromoterAPIError(outcome: .network, accountID: accountID, detail: "\(error)")
            }
        }
        if error is CancellationError {
            return FirstPromoterAPIError(outcome: .skippedDeadline, accountID: accountID, detail: "cancelled")
        }
        return FirstPromoterAPIError(outcome: .network, accountID: accountID, detail: Excerpt.make("\(error)", limit: 160))
    }
}
