import Foundation
import Logging
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// An HTTP server on an ephemeral loopback port that answers every request with what a test scripts,
/// and records what it was sent: for client tests that need answers no honest server gives.
public final class ScriptedServer: Sendable {
    /// A canned answer.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        /// Wait this long before answering (for timeouts).
        public var delaySeconds: Double

        public init(status: Int = 200, headers: [String: String] = [:], body: String = "", delaySeconds: Double = 0) {
            self.init(status: status, headers: headers, bytes: Array(body.utf8), delaySeconds: delaySeconds)
        }

        public init(status: Int = 200, headers: [String: String] = [:], bytes: [UInt8], delaySeconds: Double = 0) {
            self.status = status
            self.headers = headers
            self.body = bytes
            self.delaySeconds = delaySeconds
        }
    }

    /// What a request carried.
    public struct Received: Sendable {
        public var path: String
        public var query: String?
        public var headers: [String: String]
    }

    /// The requests received, oldest first.
    public actor Log {
        public private(set) var requests: [Received] = []
        func append(_ request: Received) { requests.append(request) }
    }

    public let baseURL: URL
    public let log: Log
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(baseURL: URL, log: Log, group: ServiceGroup, task: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.log = log
        self.group = group
        self.task = task
    }

    /// Starts a server whose every answer is `reply(request number, received)`.
    public static func start(_ reply: @escaping @Sendable (Int, Received) -> Reply) async throws -> ScriptedServer {
        let log = Log()
        let router = Router()
        let counter = Counter()
        router.get("**") { request, _ -> Response in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let received = Received(path: request.uri.path, query: request.uri.query, headers: headers)
            await log.append(received)
            let answer = reply(await counter.next(), received)
            if answer.delaySeconds > 0 { try? await Task.sleep(for: .seconds(answer.delaySeconds)) }
            var fields = HTTPFields()
            for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
            return Response(
                status: .init(code: answer.status), headers: fields,
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "scripted-server")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        for await port in ports {
            return ScriptedServer(
                baseURL: URL(string: "http://127.0.0.1:\(port)/api/v2/company")!, log: log, group: group, task: task)
        }
        throw CancellationError()
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    private actor Counter {
        var value = 0
        func next() -> Int {
            value += 1
            return value
        }
    }
}
