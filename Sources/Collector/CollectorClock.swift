import FPModel

/// Time as the collector sees it: backoff, deadlines, rate limits and the circuit breaker all ask
/// this, so tests run hours of waiting in no time.
public protocol CollectorClock: Sendable {
    /// Seconds since an arbitrary, fixed origin; never goes backward.
    func now() -> Double
    /// Waits `seconds` (throws when the task is cancelled).
    func sleep(seconds: Double) async throws
}

/// The real, monotonic clock.
public struct SystemCollectorClock: CollectorClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func now() -> Double {
        (ContinuousClock.now - origin).inSeconds
    }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}
