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
    }

    let configuration: SimulatorConfiguration
    let world: SimulatedWorld
    let state: SimulatorState

    func progress(authorization: String?, accountID: String?, query: String?) async -> Reply {
        let account = accountID ?? ""
        let recent = await state.begin(account: account)
        let reply = await answer(authorization: authorization, accountID: account, query: query, recentRequests: recent)
        await state.end(status: reply.status)
        return reply
    }

    private func answer(authorization: String?, accountID: String, query: String?, recentRequests: Int) async -> Reply {
        guard authorization == "Bearer \(configuration.apiKey)", !configuration.unauthorizedAccounts.contains(accountID)
        else {
            return Reply(status: 401, body: nil)
        }
        guard let index = world.accountIndex(of: accountID), !configuration.forbiddenAccounts.contains(accountID) else {
            return Self.forbidden(accountID.isEmpty ? "Account-ID header is required" : "Account not found or access denied")
        }
        let filter = RailsQuery.statusFilter(query: query)
        let batches = world.batches(accountIndex: index, at: await state.now)
        return Reply(status: 200, body: Self.json(batches.filter { filter?.contains($0.status.rawValue) ?? true }))
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
