import FPModel
import Foundation

/// Answers one progress request exactly as SPEC section 1 and the OpenAPI contract describe.
///
/// Kept free of the HTTP framework so the rules read in one place.
struct SimulatorResponder: Sendable {
    /// A response before it is put on the wire.
    struct Reply: Sendable {
        var status: Int
        var body: String?
        var retryAfter: Int?
        /// Wait this long before answering.
        var delaySeconds: Double = 0
        /// Close the connection instead of answering.
        var reset = false
        /// Never answer (until the server stops).
        var hang = false
    }

    let configuration: SimulatorConfiguration
    let world: SimulatedWorld
    let state: SimulatorState

    func progress(authorization: String?, accountID: String?, query: String?) async -> Reply {
        let account = accountID ?? ""
        let arrival = await state.begin(
            account: account, limitPerMinute: configuration.requestsPerMinutePerAccount, burst: configuration.rateLimitBurst)
        await state.waitIfHeld(arrival)
        var reply = await answer(authorization: authorization, accountID: account, query: query, arrival: arrival)
        if let index = world.accountIndex(of: account) {
            reply.delaySeconds += latency(accountIndex: index, count: arrival.count)
        }
        await state.end(status: reply.reset || reply.hang ? 0 : reply.status)
        return reply
    }

    private func answer(authorization: String?, accountID: String, query: String?, arrival: SimulatorState.Arrival) async -> Reply {
        guard authorization == "Bearer \(configuration.apiKey)", !configuration.unauthorizedAccounts.contains(accountID)
        else {
            return Reply(status: 401, body: nil)
        }
        guard let index = world.accountIndex(of: accountID), !configuration.forbiddenAccounts.contains(accountID) else {
            return Self.forbidden(accountID.isEmpty ? "Account-ID header is required" : "Account not found or access denied")
        }
        let filter = RailsQuery.statusFilter(query: query)
        if let invalid = RailsQuery.invalidStatus(in: filter) {
            return Self.badRequest("filters[status] must be one of pending, in_progress, completed, failed, stopped; got \"\(invalid)\"")
        }
        switch fault(accountIndex: index, count: arrival.count, allowed: arrival.withinLimit) {
        case .none: break
        case .serverError(let code): return Reply(status: code, body: "<html><body>\(code)</body></html>")
        case .reset: return Reply(status: 0, body: nil, reset: true)
        case .hang: return Reply(status: 0, body: nil, hang: true)
        case .rateLimited: return Reply(status: 429, body: #"{"message":"Too many requests","code":"rate_limited"}"#)
        case .hostileBody(let kind): return Reply(status: 200, body: kind.body)
        }
        let batches = world.batches(accountIndex: index, at: await state.now)
        return Reply(status: 200, body: Self.json(batches.filter { filter?.contains($0.status.rawValue) ?? true }))
    }

    /// 400 with the contract's error body (`message`, `code`).
    static func badRequest(_ message: String) -> Reply {
        // What the client sent is echoed only as a JSON string literal.
        Reply(status: 400, body: #"{"message":\#(JSONString.literal(message)),"code":"invalid_parameter"}"#)
    }

    static func forbidden(_ message: String) -> Reply {
        Reply(status: 403, body: #"{"message":"\#(message)","code":"forbidden"}"#)
    }

    /// `{"1000":100,"1003":42}`: ids ascending, as a stable body for the same state.
    static func json(_ batches: [BatchObservation]) -> String {
        var out = "{"
        out.reserveCapacity(batches.count * 12 + 2)
        for (position, batch) in batches.enumerated() {
            if position > 0 { out += "," }
            out += "\"\(batch.batchID)\":\(batch.progress)"
        }
        return out + "}"
    }
}
