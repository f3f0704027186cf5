import AsyncHTTPClient
import FPModel
import FPTestSupport
import FirstPromoterAPI
import Foundation
import Logging
import Testing

/// The client against a scripted server on loopback: every response class of SPEC section 1.
@Suite struct FirstPromoterClientTests {
    static let key = APIKey("sk_test_client_0123456789")!

    /// Runs one progress call against a server answering `reply`, returning the result and what was sent.
    func call(
        statuses: [BatchStatus]? = [.pending], maxBodyBytes: Int = 1 << 20, timeoutMillis: Int64 = 5000,
        _ reply: @escaping @Sendable (Int, ScriptedServer.Received) -> ScriptedServer.Reply
    ) async throws -> (Result<[String: Int], FirstPromoterAPIError>, [ScriptedServer.Received]) {
        let server = try await ScriptedServer.start(reply)
        let http = FirstPromoterClient.makeHTTPClient()
        let client = FirstPromoterClient(
            configuration: .init(baseURL: server.baseURL, requestTimeout: .milliseconds(timeoutMillis), maxBodyBytes: maxBodyBytes),
            httpClient: http, logger: Logger(label: "test"))
        let result: Result<[String: Int], FirstPromoterAPIError>
        do {
            result = .success(try await client.progress(accountID: "acc-0042", apiKey: Self.key, statuses: statuses))
        } catch let error as FirstPromoterAPIError {
            result = .failure(error)
        }
        try await http.shutdown()
        let received = await server.log.requests
        await server.stop()
        return (result, received)
    }

    func failure(_ result: Result<[String: Int], FirstPromoterAPIError>) -> FirstPromoterAPIError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test func decodesAProgressMapAndSendsTheContractHeaders() async throws {
        let (result, received) = try await call { _, _ in .init(body: #"{"30":0,"31":57,"32":100}"#) }
        #expect(try result.get() == ["30": 0, "31": 57, "32": 100])
        let request = try #require(received.first)
        #expect(request.path == "/api/v2/company/batch_processes/progress")
        #expect(request.headers["authorization"] == "Bearer sk_test_client_0123456789")
        #expect(request.headers["account-id"] == "acc-0042")
        #expect(request.headers["accept"] == "application/json")
        #expect(request.query == "filters%5Bstatus%5D=pending")
    }

    @Test func emptyObjectIsAValidAnswer() async throws {
        let (result, _) = try await call { _, _ in .init(body: "{}") }
        #expect(try result.get() == [:])
    }

    @Test func severalStatusesAreSentAsARailsArray() async throws {
        let (_, received) = try await call(statuses: [.completed, .failed]) { _, _ in .init(body: "{}") }
        #expect(received.first?.query == "filters%5Bstatus%5D%5B%5D=completed&filters%5Bstatus%5D%5B%5D=failed")
    }

    @Test func noFilterSendsNoQuery() async throws {
        let (_, received) = try await call(statuses: nil) { _, _ in .init(body: "{}") }
        #expect(received.first?.query == nil)
    }

    @Test func unauthorizedIsNotRetryable() async throws {
        let (result, _) = try await call { _, _ in .init(status: 401) }
        let error = try #require(failure(result))
        #expect(error.outcome == .unauthorized)
        #expect(error.httpStatus == 401)
        #expect(!error.isRetryable)
    }

    @Test func forbiddenCarriesTheAPIsCodeAndMessage() async throws {
        let (result, _) = try await call { _, _ in
            .init(status: 403, headers: ["Content-Type": "application/json"], body: #"{"message":"Invalid user type","code":"forbidden"}"#)
        }
        let error = try #require(failure(result))
        #expect(error.outcome == .forbidden)
        #expect(error.detail == "forbidden: Invalid user type")
        #expect(!error.isRetryable)
    }

    @Test func rateLimitedHonoursRetryAfter() async throws {
        let (result, _) = try await call { _, _ in .init(status: 429, headers: ["Retry-After": "7"]) }
        let error = try #require(failure(result))
        #expect(error.outcome == .rateLimited)
        #expect(error.retryAfterSeconds == 7)
        #expect(error.isRetryable)
    }

    @Test func retryAfterAsAnHTTPDateAndOnA503() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        let now = Date(timeIntervalSince1970: 1_794_000_000)
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            let date = formatter.string(from: now.addingTimeInterval(30))
            #expect(FirstPromoterClient.retryAfter(["Retry-After": date], now: now) == 30, "\(date)")
        }
        // Through the client too: a date in the past means now
        let past = formatter.string(from: Date().addingTimeInterval(-60))
        let (result, _) = try await call { _, _ in .init(status: 429, headers: ["Retry-After": past]) }
        #expect(failure(result)?.retryAfterSeconds == 0)
        let (unavailable, _) = try await call { _, _ in .init(status: 503, headers: ["Retry-After": "5"]) }
        #expect(failure(unavailable)?.outcome == .serverError)
        #expect(failure(unavailable)?.retryAfterSeconds == 5)
        let (junk, _) = try await call { _, _ in .init(status: 429, headers: ["Retry-After": "soon"]) }
        #expect(failure(junk)?.retryAfterSeconds == nil)
    }

    @Test func rateLimitedWithoutRetryAfter() async throws {
        let (result, _) = try await call { _, _ in .init(status: 429) }
        let error = try #require(failure(result))
        #expect(error.outcome == .rateLimited)
        #expect(error.retryAfterSeconds == nil)
    }

    @Test func serverErrorIsRetryable() async throws {
        let (result, _) = try await call { _, _ in .init(status: 500, body: "oops") }
        let error = try #require(failure(result))
        #expect(error.outcome == .serverError)
        #expect(error.httpStatus == 500)
        #expect(error.isRetryable)
    }

    @Test(arguments: [
        (#"{"30":"57"}"#, "value for key 30 is not an integer"),
        (#"{"30":true}"#, "value for key 30 is not an integer"),
        (#"{"30":57.5}"#, "value for key 30 is not an integer"),
        (#"{"30":null}"#, "value for key 30 is null"),
        (#"{"30":101}"#, "progress 101 for batch 30 is outside 0...100"),
        (#"{"30":-1}"#, "progress -1 for batch 30 is outside 0...100"),
        (#"{"abc":5}"#, "key abc is not a batch id (decimal digits)"),
        (#"{"":5}"#, "key  is not a batch id (decimal digits)"),
        (#"[1,2,3]"#, "expected a JSON object of batch id to progress"),
        (#"{"30":5"#, "not valid JSON"),
        ("<html><body>Bad gateway</body></html>", "not valid JSON"),
    ])
    func badBodiesAreBadResponsesWithAnExcerpt(body: String, reason: String) async throws {
        let (result, _) = try await call { _, _ in .init(body: body) }
        let error = try #require(failure(result))
        #expect(error.outcome == .badResponse)
        #expect(error.detail.hasPrefix(reason + "; body: "))
        #expect(error.detail.contains(String(body.prefix(8))))
    }

    @Test func oversizedBodyIsABadResponse() async throws {
        let big = "{" + (0..<5000).map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        let (result, _) = try await call(maxBodyBytes: 4096) { _, _ in .init(body: big) }
        let error = try #require(failure(result))
        #expect(error.outcome == .badResponse)
        #expect(error.detail.contains("4096-byte limit"))
    }

    @Test func redirectsAreNotFollowed() async throws {
        let (result, received) = try await call { _, _ in
            .init(status: 302, headers: ["Location": "http://127.0.0.1:1/elsewhere"])
        }
        let error = try #require(failure(result))
        #expect(error.outcome == .badResponse)
        #expect(error.detail.contains("redirect not followed"))
        #expect(received.count == 1)
    }

    @Test func slowAnswerIsATimeout() async throws {
        let (result, _) = try await call(timeoutMillis: 200) { _, _ in .init(body: "{}", delaySeconds: 1) }
        let error = try #require(failure(result))
        #expect(error.outcome == .timeout)
        #expect(error.isRetryable)
    }

    @Test func refusedConnectionIsANetworkOrTimeoutError() async throws {
        // AsyncHTTPClient keeps retrying a refused connection until the deadline, so either outcome
        // is honest; both are retryable and neither carries the key.
        let http = FirstPromoterClient.makeHTTPClient(connectTimeout: .milliseconds(300))
        let client = FirstPromoterClient(
            configuration: .init(baseURL: URL(string: "http://127.0.0.1:1/api/v2/company")!, requestTimeout: .milliseconds(600)),
            httpClient: http, logger: Logger(label: "test"))
        let error = await #expect(throws: FirstPromoterAPIError.self) {
            _ = try await client.progress(accountID: "acc-1", apiKey: Self.key, statuses: nil)
        }
        #expect(error?.outcome == .network || error?.outcome == .timeout)
        #expect(error?.isRetryable == true)
        #expect(error.map { !$0.description.contains("sk_test") } == true)
        try await http.shutdown()
    }
}
