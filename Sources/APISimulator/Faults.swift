import FPModel
import Foundation

/// What a fault profile does to one request, decided from the seed, the account and how many
/// requests that account has made: the same run against the same seed meets the same faults.
enum Fault: Equatable {
    case none
    case serverError(Int)
    case reset
    case hang
    case rateLimited
    case hostileBody(HostileBody)
}

/// The bad 200 bodies of the `hostile` profile.
enum HostileBody: Int, CaseIterable {
    case malformedJSON, wrongTypes, outOfRange, nonDigitKeys, huge, html

    var body: String {
        switch self {
        case .malformedJSON: #"{"1001": 50, "1002": "#
        case .wrongTypes: #"{"1001": "fifty", "1002": true}"#
        case .outOfRange: #"{"1001": 250, "1002": -3}"#
        case .nonDigitKeys: #"{"batch-1": 50, "1002": 10}"#
        case .huge: "{" + String(repeating: " ", count: 10 << 20) + "}"
        case .html: "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
        }
    }
}

extension SimulatorResponder {
    /// The fault for request number `count` (1-based) of account `index`.
    func fault(accountIndex index: Int, count: Int, allowed: Bool) -> Fault {
        switch configuration.faults {
        case .none:
            return .none
        case .outage:
            return .serverError(503)
        case .ratelimit:
            return allowed ? .none : .rateLimited
        case .slow:
            return (index % 10 == 3) ? .hang : .none
        case .hostile:
            guard index % 5 == 2 else { return .none }
            return .hostileBody(HostileBody.allCases[(index / 5) % HostileBody.allCases.count])
        case .flaky:
            var rng = SplitMix64(seed: configuration.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(index) << 32 &+ UInt64(count))
            let draw = rng.unit()
            if draw < 0.05 { return .serverError([500, 502, 503][Int(rng.next() % 3)]) }
            if draw < 0.07 { return .reset }
            return .none
        }
    }

    /// Extra latency for this request: the configured base, plus jitter for `flaky`.
    func latency(accountIndex index: Int, count: Int) -> Double {
        let base = Double(configuration.latencyMillis) / 1000
        guard configuration.faults == .flaky else { return base }
        var rng = SplitMix64(seed: configuration.seed &+ UInt64(index) &* 31 &+ UInt64(count) &* 7919)
        return base + rng.unit() * max(base, 0.02)
    }
}
