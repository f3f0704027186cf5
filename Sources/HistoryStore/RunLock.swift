import Foundation

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
public final class RunLock: Sendable {
    private let descriptor: Int32
    public let path: String

    /// What a prune writes as its holder: a collection waits for it rather than giving up the night.
    public static let prunePrefix = "prune "

    /// Takes the lock for `databasePath`; while the holder is one `waitFor` accepts, waits for it
    /// (up to `waitSeconds`); otherwise throws a lease-held error naming the holder.
    public static func acquire(
        databasePath: String, holder: String, waitSeconds: Double, waitFor: @Sendable (String) -> Bool
    ) async throws -> RunLock {
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        while true {
            do {
                return try RunLock(databasePath: databasePath, holder: holder)
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
            let who = current.flatMap { $0.isEmpty ? nil : $0 } ?? "another process"
            throw HistoryStoreError(
                "another fpreport run (\(who)) holds this database's lock", path: databasePath, holder: who,
                isLeaseHeld: true)
        }
        descriptor = fd
        _ = ftruncate(fd, 0)
        let text = holder + "\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
