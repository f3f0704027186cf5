import AsyncHTTPClient
import Foundation
import NIOCore

/// One plain HTTP request with exactly the given method, URL and headers, for testing servers.
public enum RawHTTP {
    public static func send(_ method: String, _ url: String, headers: [String: String] = [:]) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}
