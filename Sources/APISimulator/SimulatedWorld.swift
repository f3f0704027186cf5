import FPModel
import Foundation

/// The simulated accounts and their batches: a pure function of (seed, account, virtual time).
///
/// Each account draws its own arrival rate and failure, stop and stuck propensities from the seed;
/// each batch then draws its arrival, waiting and processing times and its fate. The state of any
/// batch at any virtual time follows from those draws, so the same seed always tells the same story
/// and tests can ask for the truth at the time a collector looked.
public struct SimulatedWorld: Sendable {
    /// One batch's fixed story.
    struct BatchPlan: Sendable {
        var id: String
        var createdAt: Double
        var startsAt: Double
        var endsAt: Double
        var fate: Fate
    }

    enum Fate: Sendable {
        case completed
        /// Fails or stops at `fraction` of its processing time, with that much progress.
        case failed(fraction: Double)
        case stopped(fraction: Double)
        /// Stops moving at `fraction` and stays in progress.
        case stuck(fraction: Double)
    }

    /// An account's character, drawn once from the seed.
    struct Profile: Sendable {
        var arrivalsPerDay: Double
        var failureChance: Double
        var stopChance: Double
        var stuckChance: Double
        var firstBatchID: Int
    }

    public let seed: UInt64
    public let accountCount: Int
    /// Virtual time at which batch arrivals begin (seconds since the epoch).
    public let origin: Double
    /// Whether batches also misbehave as the real service's do: about 0.3 % of batches are
    /// missing from the answers during any given hour (and back the hour after), and 2 % of the
    /// batches that complete are first reported failed for two hours (a terminal status followed
    /// by another, outside the usual order).
    public let churn: Bool

    public init(seed: UInt64, accountCount: Int, origin: Date, churn: Bool = false) {
        self.seed = seed
        self.accountCount = accountCount
        self.origin = origin.timeIntervalSince1970
        self.churn = churn
    }

    /// `acc-0001` … : the ids the simulator answers for, zero-padded to at least four digits.
    public var accountIDs: [String] { (1...max(1, accountCount)).map(accountID(for:)) }

    public func accountID(for index: Int) -> String {
        let digits = max(4, String(accountCount).count)
        let number = String(index)
        return "acc-" + String(repeating: "0", count: max(0, digits - number.count)) + number
    }

    /// The 1-based index of a simulated account id, or nil when the simulator does not know it.
    public func accountIndex(of id: String) -> Int? {
        guard id.hasPrefix("acc-"), let index = Int(id.dropFirst(4)), (1...accountCount).contains(index),
            accountID(for: index) == id
        else { return nil }
        return index
    }

    /// Every batch the account has at `time`, with its status and progress, sorted by id.
    public func batches(accountIndex: Int, at time: Date) -> [BatchObservation] {
        let now = time.timeIntervalSince1970
        return plans(accountIndex: accountIndex, until: now).compactMap { plan in
            var (status, progress) = Self.state(of: plan, at: now)
            if churn {
                let hour = UInt64(max(0, now / 3600))
                if draw(plan.id, hour &+ 1) < 0.003 { return nil }
                if case .completed = plan.fate, status == .completed, now < plan.endsAt + 2 * 3600, draw(plan.id, 0) < 0.02 {
                    status = .failed
                }
            }
            return BatchObservation(batchID: plan.id, status: status, progress: progress)
        }
    }

    /// A uniform number in [0, 1) fixed by the seed, a batch and `salt`: the same question always
    /// gets the same answer, whatever else was asked before.
    private func draw(_ batchID: String, _ salt: UInt64) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for byte in batchID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var rng = SplitMix64(seed: hash ^ (salt &* 0x9E37_79B9_7F4A_7C15))
        return rng.unit()
    }

    /// Batch count per status at `time`: the truth a collector's counts must equal.
    public func statusCounts(accountIndex: Int, at time: Date) -> [BatchStatus: Int] {
        var counts: [BatchStatus: Int] = [:]
        for batch in batches(accountIndex: accountIndex, at: time) { counts[batch.status, default: 0] += 1 }
        return counts
    }

    static func state(of plan: BatchPlan, at now: Double) -> (BatchStatus, Int) {
        if now < plan.startsAt { return (.pending, 0) }
        let duration = plan.endsAt - plan.startsAt
        let elapsed = (now - plan.startsAt) / duration
        func percent(_ fraction: Double) -> Int { min(99, max(0, Int((fraction * 100).rounded(.down)))) }
        switch plan.fate {
        case .completed:
            return elapsed >= 1 ? (.completed, 100) : (.inProgress, percent(elapsed))
        case .failed(let fraction):
            return elapsed >= fraction ? (.failed, percent(fraction)) : (.inProgress, percent(elapsed))
        case .stopped(let fraction):
            return elapsed >= fraction ? (.stopped, percent(fraction)) : (.inProgress, percent(elapsed))
        case .stuck(let fraction):
            return (.inProgress, percent(min(elapsed, fraction)))
        }
    }

    func profile(accountIndex: Int) -> Profile {
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9 &* UInt64(accountIndex))
        // A few quiet accounts, most moderate, a few busy ones.
        let busy = rng.unit()
        let arrivals = busy < 0.15 ? 0.5 + rng.unit() : (busy > 0.9 ? 8 + 8 * rng.unit() : 1.5 + 4 * rng.unit())
        let troubled = rng.unit() < 0.2
        return Profile(
            arrivalsPerDay: arrivals,
            failureChance: troubled ? 0.15 + 0.25 * rng.unit() : 0.01 + 0.06 * rng.unit(),
            stopChance: 0.01 + 0.05 * rng.unit(),
            stuckChance: 0.005 + 0.01 * rng.unit(),
            firstBatchID: 1000 + Int(rng.next() % 90_000) * 10
        )
    }

    func plans(accountIndex: Int, until now: Double) -> [BatchPlan] {
        let profile = profile(accountIndex: accountIndex)
        var rng = SplitMix64(seed: (seed ^ 0xA5A5_5A5A_0F0F_F0F0) &+ UInt64(accountIndex) &* 0xD1B5_4A32_D192_ED03)
        var plans: [BatchPlan] = []
        // Start three days before the origin so the first collection already sees finished batches.
        var clock = origin - 3 * 86_400
        let meanGap = 86_400 / profile.arrivalsPerDay
        var id = profile.firstBatchID
        while true {
            clock += -meanGap * log(1 - rng.unit() * 0.999_999)
            // Draw every number of the batch before deciding whether it exists, so the sequence
            // of draws (and so every later batch) does not depend on `now`.
            let longWait = rng.unit() < 0.05
            let wait = longWait ? 26 * 3600 + 20 * 3600 * rng.unit() : 300 + 3 * 3600 * rng.unit()
            let duration = 1200 + 6 * 3600 * rng.unit()
            let fateDraw = rng.unit()
            let fraction = 0.05 + 0.9 * rng.unit()
            guard clock <= now else { break }
            let fate: Fate
            if fateDraw < profile.failureChance {
                fate = .failed(fraction: fraction)
            } else if fateDraw < profile.failureChance + profile.stopChance {
                fate = .stopped(fraction: fraction)
            } else if fateDraw < profile.failureChance + profile.stopChance + profile.stuckChance {
                fate = .stuck(fraction: fraction)
            } else {
                fate = .completed
            }
            plans.append(BatchPlan(
                id: String(id), createdAt: clock, startsAt: clock + wait, endsAt: clock + wait + duration, fate: fate))
            id += 1 + Int(rng.next() % 3)
        }
        return plans
    }
}
