import FPModel
import Foundation
import HistoryStore
import PostgresNIO

/// The run lock in PostgreSQL: a session advisory lock, held on one connection of the pool for as
/// long as the lease lives. The server gives it up when that session ends, so a process that dies
/// (even by `kill -9`, or with its host) never leaves it held; a file lock would mean nothing to a
/// database on another machine. Who holds it is written beside it (`run_lock`), for messages.
extension PostgresHistoryStore {
    /// The advisory lock key of the run lock ("fpreport run" in ASCII, shortened).
    static let runLockKey: Int64 = 0x6670_7275_6E6C_6B00

    public func acquireRunLock(
        holder: String, waitSeconds: Double, waitFor: @escaping @Sendable (String) -> Bool
    ) async throws -> any RunLease {
        try await acquireRunLock(holder: holder, shared: false, waitSeconds: waitSeconds, waitFor: waitFor)
    }

    /// The lock alone (a prune) or `shared` with other collectors; see ``HistoryDatabase/acquireRunLock(holder:waitSeconds:waitFor:)``.
    func acquireRunLock(
        holder: String, shared: Bool, waitSeconds: Double, waitFor: @escaping @Sendable (String) -> Bool
    ) async throws -> any RunLease {
        let started = ContinuousClock.now
        var unnamedSince: ContinuousClock.Instant?
        while true {
            let lease = PostgresRunLease()
            switch try await lease.take(client, holder: holder, shared: shared, describe: { self.describe("cannot take the run lock", $0) }) {
            case .acquired:
                return lease
            case .held(let other):
                let waited = ContinuousClock.now - started
                // The holder writes its name just after taking the lock: an unnamed one is asked again briefly.
                if other == nil {
                    unnamedSince = unnamedSince ?? ContinuousClock.now
                    if ContinuousClock.now - unnamedSince! < .seconds(2) {
                        try await Task.sleep(for: .milliseconds(100))
                        continue
                    }
                }
                let name = other ?? "unknown"
                guard waitFor(name), waited < .seconds(waitSeconds) else {
                    throw HistoryStoreError(
                        "another fpreport (\(name)) holds the run lock of this database", path: address.display, holder: name,
                        isLeaseHeld: true)
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}

/// One hold of the run lock: a task keeps a pooled connection with the advisory lock until the
/// last reference to this value goes, then unlocks and gives the connection back.
final class PostgresRunLease: RunLease {
    enum Outcome: Sendable {
        case acquired
        case held(by: String?)
    }

    /// What the holding task waits for; the task holds the signal, not the lease, so dropping the
    /// lease is what fires it.
    private let signal = Signal()

    /// Tries the lock once on a connection of `client`: acquired (and held from then on), or held by someone else.
    func take(
        _ client: PostgresClient, holder: String, shared: Bool, describe: @escaping @Sendable (any Error) -> HistoryStoreError
    ) async throws -> Outcome {
        let signal = signal
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
            let answer = Once(continuation)
            Task {
                do {
                    try await client.withConnection { connection in
                        let key = PostgresHistoryStore.runLockKey
                        let taken = shared
                            ? try await connection.scalar("SELECT pg_try_advisory_lock_shared(\(key))", as: Bool.self)
                            : try await connection.scalar("SELECT pg_try_advisory_lock(\(key))", as: Bool.self)
                        guard taken == true else {
                            let other = try await connection.scalar("SELECT holder FROM run_lock WHERE id = 1", as: String.self)
                            answer.resume(.success(.held(by: other)))
                            return
                        }
                        try await connection.run("""
                            INSERT INTO run_lock (id, holder, backend_pid) VALUES (1, \(holder), pg_backend_pid())
                            ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, backend_pid = excluded.backend_pid
                            """)
                        answer.resume(.success(.acquired))
                        await signal.wait()
                        _ = try? await connection.run("DELETE FROM run_lock WHERE backend_pid = pg_backend_pid()")
                        if shared {
                            _ = try? await connection.run("SELECT pg_advisory_unlock_shared(\(key))")
                        } else {
                            _ = try? await connection.run("SELECT pg_advisory_unlock(\(key))")
                        }
                    }
                } catch {
                    answer.resume(.failure(describe(error)))
                }
            }
        }
    }

    deinit {
        signal.fire()
    }

    /// Fired once; waiting after it has fired returns at once.
    private final class Signal: @unchecked Sendable {
        private let lock = NSLock()
        private var fired = false
        private var waiting: CheckedContinuation<Void, Never>?

        func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.lock()
                if fired {
                    lock.unlock()
                    continuation.resume()
                } else {
                    waiting = continuation
                    lock.unlock()
                }
            }
        }

        func fire() {
            lock.lock()
            fired = true
            let continuation = waiting
            waiting = nil
            lock.unlock()
            continuation?.resume()
        }
    }

    /// A continuation resumed at most once (an error after the answer, such as a lost connection
    /// while holding, has nobody left to tell: the server has already given the lock up).
    private final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Outcome, any Error>?

        init(_ continuation: CheckedContinuation<Outcome, any Error>) { self.continuation = continuation }

        func resume(_ result: Result<Outcome, any Error>) {
            lock.lock()
            let pending = continuation
            continuation = nil
            lock.unlock()
            pending?.resume(with: result)
        }
    }
}
