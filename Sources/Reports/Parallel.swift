import Dispatch
import Foundation
import Synchronization

/// Runs independent pieces of a report (account pages, manager reports) on every core.
enum Parallel {
    /// The cores to use: the machine's, at most 8 (page writing is bound by one file system).
    static let width = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// Calls `body` for every index in `range`, spread over ``width`` threads in contiguous
    /// stripes, and returns what each call returned, in index order. The first error thrown is
    /// rethrown once every call has finished (the others are not cut off: files already being
    /// written are finished, and the whole folder is thrown away by the publisher).
    static func map<T: Sendable>(_ range: Range<Int>, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        let results = Mutex<[T?]>(Array(repeating: nil, count: range.count))
        let failure = Mutex<(any Error)?>(nil)
        let stripes = min(width, max(1, range.count))
        DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
            let size = (range.count + stripes - 1) / stripes
            let lower = range.lowerBound + stripe * size
            let upper = min(range.upperBound, lower + size)
            guard lower < upper else { return }
            for index in lower..<upper {
                if failure.withLock({ $0 != nil }) { return }
                do {
                    let value = try body(index)
                    results.withLock { $0[index - range.lowerBound] = value }
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    return
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { $0.compactMap { $0 } }
    }

    /// Runs `work` on a thread of its own while `body` runs on this one, and returns both results
    /// once both are done; an error from either is rethrown (`body`'s first) after both finish.
    /// For the single-threaded parts of a report (the CSV set, the fleet workbook), which would
    /// otherwise leave every core but one idle while the pages wait for them.
    ///
    /// A new thread, not a Dispatch queue: on Linux the global queues run as many items at once
    /// as there are cores, and while those threads were blocked elsewhere (a process's output
    /// being read, in the tests) `work` waited behind them with this thread, often one of Swift
    /// concurrency's few, blocked on it: every task of the process stalled for minutes.
    static func beside<T: Sendable, U>(_ work: @escaping @Sendable () throws -> T, while body: () throws -> U) throws -> (T, U) {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let result = Result { try work() }
            outcome.withLock { $0 = result }
            done.signal()
        }.start()
        let mine = Result { try body() }
        done.wait()
        let ours = try mine.get()
        guard let theirs = outcome.withLock({ $0 }) else { preconditionFailure("signalled before its result was set") }
        return (try theirs.get(), ours)
    }
}
