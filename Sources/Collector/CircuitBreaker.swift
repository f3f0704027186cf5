/// Stops a dead API from being hammered: after `threshold` consecutive 5xx, timeouts or network
/// errors it opens for a cool-down, then lets one probe through. A failed probe reopens it for
/// twice as long; after `maxProbes` failed probes it stays open for the rest of the run and every
/// remaining request fails at once.
public actor CircuitBreaker {
    public enum Decision: Sendable, Equatable {
        case proceed
        /// Try again after this many seconds.
        case wait(Double)
        /// The API is given up on for this run.
        case giveUp
    }

    private enum State { case closed, open(until: Double), probing, tripped }

    private let threshold: Int
    private var cooldown: Double
    private let maxProbes: Int
    private var state = State.closed
    private var consecutiveFailures = 0
    private var failedProbes = 0
    public private(set) var openings = 0

    public init(threshold: Int = 10, cooldown: Double = 15, maxProbes: Int = 3) {
        self.threshold = threshold
        self.cooldown = cooldown
        self.maxProbes = maxProbes
    }

    public func decide(now: Double) -> Decision {
        switch state {
        case .closed: return .proceed
        case .tripped: return .giveUp
        case .probing: return .wait(1)
        case .open(let until):
            guard now >= until else { return .wait(until - now) }
            state = .probing
            return .proceed
        }
    }

    /// Records how a request that was let through ended (`failure` only for 5xx, timeouts, network).
    public func record(failure: Bool, now: Double) {
        if !failure {
            consecutiveFailures = 0
            failedProbes = 0
            if case .probing = state { state = .closed }
            return
        }
        consecutiveFailures += 1
        switch state {
        case .probing:
            failedProbes += 1
            cooldown *= 2
            state = failedProbes >= maxProbes ? .tripped : .open(until: now + cooldown)
            openings += 1
        case .closed where consecutiveFailures >= threshold:
            state = .open(until: now + cooldown)
            openings += 1
        default:
            break
        }
    }
}
