import Collector
import Foundation

/// A clock whose sleeps return at once and move its time forward, recording each wait.
final class TestClock: CollectorClock, @unchecked Sendable {
    // Unchecked: both fields are only touched under `lock`.
    private let lock = NSLock()
    private var time = 0.0
    private var recorded: [Double] = []

    var sleeps: [Double] { lock.withLock { recorded } }

    func now() -> Double { lock.withLock { time } }

    /// Returns at once and moves time forward by `seconds`. Concurrent sleeps add up rather than
    /// overlap, so use it where one task sleeps at a time.
    func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        lock.withLock {
            recorded.append(seconds)
            time += max(0, seconds)
        }
        await Task.yield()
    }

    func advance(by seconds: Double) { lock.withLock { time += seconds } }
}
