import Foundation
import HistoryStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock on `<database>.lock`, held for a whole collection run and by anything else
/// that writes much (prune), so that they never overlap.
///
/// The kernel releases it when the process dies, even by `kill -9`, so holding it proves that any
/// run the database still calls "running" is dead. The file records who holds it, for the message
/// a second run prints and for deciding whether to wait.
public final class RunLock: RunLease {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock for `databasePath`; while the holder is one `waitFor` accepts, waits for it
    /// (up to `waitSeconds`); otherwise throws a lease-held error naming the holder.
    public static func acquire(
        databasePath: String, holder: String, waitSeconds: Double, waitFor: @Sendable (String) -> Bool
    ) async throws -> RunLock {
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        // A holder that has not written its name yet (it took the lock a moment ago) is asked
        // again for a little while before being taken for one that may not be waited for.
        let unnamedDeadline = ContinuousClock.now + .seconds(2)
        while true {
            do {
                return try RunLock(databasePath: databasePath, holder: holder)
            } catch let error as HistoryStoreError where error.isLeaseHeld && error.holder == Self.unnamed && ContinuousClock.now < unnamedDeadline {
                try await Task.sleep(for: .milliseconds(20))
            } catch let error as HistoryStoreError where error.isLeaseHeld && waitFor(error.holder ?? "") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Takes the lock for `databasePath`, or throws a lease-held error naming the holder.
    public init(databasePath: String, holder: String) throws {
        path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw HistoryStoreError("cannot open the lock file: \(String(cString: strerror(errno)))", path: path)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let current = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            let who = current.flatMap { $0.isEmpty ? nil : $0 } ?? Self.unnamed
            throw HistoryStoreError(
                "another fpreport run (\(who)) holds this database's lock", path: databasePath, holder: who,
                isLeaseHeld: true)
        }
        descriptor = fd
        _ = ftruncate(fd, 0)
        let text = holder + "\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    /// The holder's name while the lock file has none.
    static let unnamed = "another process"

    /// Unlocks without emptying the file first: emptied while still locked, a process asking in
    /// between would find a holder without a name. The next holder replaces the name.
    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
