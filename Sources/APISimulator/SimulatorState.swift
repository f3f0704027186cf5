import FPModel
import Foundation

/// The simulator's mutable state: the virtual clock and what it has been asked.
///
/// Tests read the counters to check what a collector did (requests per account and per minute,
/// requests in flight at once).
public actor SimulatorState {
    /// Request counters, as a value to compare in tests.
    public struct Stats: Sendable, Equatable {
        public var requests: Int = 0
        public var requestsByAccount: [String: Int] = [:]
        public var maxInFlight: Int = 0
        /// The largest number of requests one account made within any 60-second window of real time.
        public var maxPerAccountPerMinute: Int = 0
        public var statusCodes: [Int: Int] = [:]
    }

    /// The virtual time: frozen, or running at `speed` virtual seconds per real second since `since`.
    public var now: Date {
        guard let running else { return frozen }
        return frozen.addingTimeInterval((clock.now - running.since).inSeconds * running.speed)
    }
    private var frozen: Date
    private var running: (since: ContinuousClock.Instant, speed: Double)?
    private var inFlight = 0
    private var stats = Stats()
    /// Real (monotonic) arrival times per account within the last minute, for rate accounting.
    private var recentArrivals: [String: [ContinuousClock.Instant]] = [:]
    private let clock = ContinuousClock()

    public init(start: Date) { frozen = start }

    /// Moves the virtual clock forward by `seconds` (never backward).
    public func advance(by seconds: TimeInterval) { rebase(now.addingTimeInterval(max(0, seconds))) }

    /// Sets the virtual clock; a time before the current one is ignored so history never rewinds.
    public func set(to date: Date) { if date > now { rebase(date) } }

    /// Lets virtual time run on with real time, `speed` virtual seconds a real second, as the
    /// real service's world does while a client collects (SPEC section 7); 0 freezes it again.
    public func run(speed: Double) {
        frozen = now
        running = speed > 0 ? (clock.now, speed) : nil
    }

    private func rebase(_ date: Date) {
        frozen = date
        if let speed = running?.speed { running = (clock.now, speed) }
    }

    public func snapshot() -> Stats { stats }

    /// Requests after the `requests`-th are held unanswered until ``release()``: a test can stop
    /// a client in the middle of a run, knowing how far it got, without racing a timer.
    public func hold(after requests: Int) { gate = requests }

    public func release() { gate = nil }

    private var gate: Int?

    /// Waits while this request is behind the gate (or until the server stops).
    func waitIfHeld(_ arrival: Arrival) async {
        while let gate, arrival.number > gate, !stopping {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// What the simulator knows about an arriving request.
    struct Arrival {
        /// The account's request number, 1-based, over the server's life.
        var count: Int
        /// Whether the account's token bucket had a token (what the `ratelimit` profile enforces).
        var withinLimit: Bool
        /// The request's number over the server's life, 1-based.
        var number: Int
    }

    /// Set when the server stops, so hung requests end.
    private(set) var stopping = false
    private var buckets: [String: (tokens: Double, at: ContinuousClock.Instant)] = [:]

    func stop() { stopping = true }

    /// Records an arriving request: counters, the per-minute window, and a token from the account's bucket.
    func begin(account: String, limitPerMinute: Int, burst: Int) -> Arrival {
        inFlight += 1
        stats.requests += 1
        stats.maxInFlight = max(stats.maxInFlight, inFlight)
        stats.requestsByAccount[account, default: 0] += 1
        let instant = clock.now
        var arrivals = recentArrivals[account, default: []]
        arrivals.removeAll { instant - $0 >= .seconds(60) }
        arrivals.append(instant)
        recentArrivals[account] = arrivals
        stats.maxPerAccountPerMinute = max(stats.maxPerAccountPerMinute, arrivals.count)

        let rate = Double(limitPerMinute) / 60
        var bucket = buckets[account] ?? (Double(burst), instant)
        bucket.tokens = min(Double(burst), bucket.tokens + (instant - bucket.at).inSeconds * rate)
        bucket.at = instant
        let allowed = bucket.tokens >= 1
        if allowed { bucket.tokens -= 1 }
        buckets[account] = bucket
        return Arrival(count: stats.requestsByAccount[account] ?? 1, withinLimit: allowed, number: stats.requests)
    }

    func end(status: Int) {
        inFlight -= 1
        stats.statusCodes[status, default: 0] += 1
    }
}
