import FPModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The simulated FirstPromoter API as a real HTTP server on loopback.
///
/// Routes:
/// - `GET /api/v2/company/batch_processes/progress`: the contract.
/// - `GET /_simulator/clock`, `POST /_simulator/clock?advance=SECONDS` or `?set=ISO8601`: the virtual clock.
/// - `GET /_simulator/stats`: request counters.
public final class SimulatorServer: Sendable {
    public let configuration: SimulatorConfiguration
    public let world: SimulatedWorld
    public let state: SimulatorState
    /// `http://127.0.0.1:PORT/api/v2/company`: what a client's `api.base_url` should be.
    public let baseURL: URL
    public let port: Int
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    private init(
        configuration: SimulatorConfiguration, world: SimulatedWorld, state: SimulatorState, host: String, port: Int,
        task: Task<Void, any Error>, group: ServiceGroup
    ) {
        self.configuration = configuration
        self.world = world
        self.state = state
        self.port = port
        let hostPart = host.contains(":") ? "[\(host)]" : host
        self.baseURL = URL(string: "http://\(hostPart):\(port)/api/v2/company")!
        self.task = task
        self.group = group
    }

    /// Starts serving on `host:port` (port 0 picks a free one) and returns once it accepts connections.
    public static func start(
        configuration: SimulatorConfiguration, host: String = "127.0.0.1", port: Int = 0,
        logger: Logger = Logger(label: "fpreport.simulator")
    ) async throws -> SimulatorServer {
        let world = SimulatedWorld(
            seed: configuration.seed, accountCount: configuration.accounts, origin: configuration.start, churn: configuration.churn)
        let state = SimulatorState(start: configuration.start)
        let responder = SimulatorResponder(configuration: configuration, world: world, state: state)
        let router = makeRouter(responder: responder, state: state)

        let (portStream, portContinuation) = AsyncStream<Result<Int, any Error>>.makeStream()
        var serverLogger = logger
        // The server's own request logs are noise next to the collector's; keep its warnings and errors.
        serverLogger.logLevel = max(logger.logLevel, .warning)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "fpreport-simulator"),
            onServerRunning: { channel in
                portContinuation.yield(.success(channel.localAddress?.port ?? port))
            },
            logger: serverLogger
        )
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: serverLogger))
        let task = Task {
            do {
                try await group.run()
                portContinuation.finish()
            } catch {
                portContinuation.yield(.failure(error))
                portContinuation.finish()
                throw error
            }
        }
        for await result in portStream {
            let boundPort = try result.get()
            return SimulatorServer(
                configuration: configuration, world: world, state: state, host: host, port: boundPort, task: task,
                group: group)
        }
        throw SimulatorError.didNotStart(host: host, port: port)
    }

    /// Stops accepting requests, ends hung ones, lets the rest finish, and waits for the server to shut down.
    public func stop() async {
        await state.stop()
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Runs until the surrounding task is cancelled (for `fpreport simulate`).
    public func waitUntilStopped() async throws {
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            Task { await self.group.triggerGracefulShutdown() }
        }
    }

    static func makeRouter(responder: SimulatorResponder, state: SimulatorState) -> Router<SimulatorContext> {
        let router = Router(context: SimulatorContext.self)
        let accountHeader = HTTPField.Name("Account-ID")!
        router.get("/api/v2/company/batch_processes/progress") { request, context -> Response in
            let reply = await responder.progress(
                authorization: request.headers[.authorization],
                accountID: request.headers[accountHeader],
                query: request.uri.query)
            if reply.delaySeconds > 0 { try? await Task.sleep(for: .milliseconds(Int64(reply.delaySeconds * 1000))) }
            if reply.hang {
                // Hang until the client gives up or the server stops.
                while !(await state.stopping), !Task.isCancelled, context.channel.isActive {
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            if reply.reset || reply.hang {
                context.channel.close(promise: nil)
                throw SimulatorError.connectionReset
            }
            var headers = HTTPFields()
            if reply.body != nil { headers[.contentType] = "application/json; charset=utf-8" }
            if let retryAfter = reply.retryAfter { headers[.retryAfter] = String(retryAfter) }
            return Response(
                status: .init(code: reply.status),
                headers: headers,
                body: reply.body.map { .init(byteBuffer: ByteBuffer(string: $0)) } ?? .init())
        }
        // The endpoint is GET only: any other method is 405, with the method it allows.
        for method: HTTPRequest.Method in [.post, .put, .patch, .delete, .options, .trace, .connect] {
            router.on("/api/v2/company/batch_processes/progress", method: method) { _, _ -> Response in
                Response(
                    status: .methodNotAllowed, headers: [.allow: "GET", .contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"message":"method not allowed","code":"method_not_allowed"}"#)))
            }
        }
        router.get("/_simulator/clock") { _, _ -> Response in
            json(#"{"now":"\#(ISO8601.format(await state.now, in: .gmt))"}"#)
        }
        router.post("/_simulator/clock") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            if let advance = parameters["advance"].flatMap({ Double(String($0)) }) {
                await state.advance(by: advance)
            } else if let set = parameters["set"].flatMap({ ISO8601.parse(String($0)) }) {
                await state.set(to: set)
            } else {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "use ?advance=SECONDS or ?set=ISO8601\n")))
            }
            return json(#"{"now":"\#(ISO8601.format(await state.now, in: .gmt))"}"#)
        }
        router.get("/_simulator/stats") { _, _ -> Response in
            let stats = await state.snapshot()
            return json(
                #"{"requests":\#(stats.requests),"max_in_flight":\#(stats.maxInFlight),"max_per_account_per_minute":\#(stats.maxPerAccountPerMinute)}"#)
        }
        return router
    }

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Why the simulator could not serve.
public enum SimulatorError: Error, CustomStringConvertible {
    case didNotStart(host: String, port: Int)
    /// A fault: the connection was closed without an answer.
    case connectionReset

    public var description: String {
        switch self {
        case .didNotStart(let host, let port): "the simulator could not listen on \(host):\(port)"
        case .connectionReset: "connection closed by the fault profile"
        }
    }
}

/// The request context of the simulator: Hummingbird's basic one plus the channel, so a fault can
/// close the connection.
struct SimulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
