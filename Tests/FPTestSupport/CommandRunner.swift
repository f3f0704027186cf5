import Foundation

/// Runs the built `fpreport` executable as a user would, capturing its output and exit code.
public enum CommandRunner {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// `.build/<config>/fpreport` beside the running test bundle, or found from the package root.
    public static func executable(file: String = #filePath) -> URL? {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("fpreport")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        var root = URL(fileURLWithPath: file)
        while root.path != "/" {
            root.deleteLastPathComponent()
            let candidate = root.appendingPathComponent(".build/debug/fpreport")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Starts `fpreport arguments…` without waiting; its output goes to `log` (or nowhere).
    public static func launch(_ arguments: [String], environment: [String: String] = [:], log: URL? = nil) throws -> Process {
        let process = try makeProcess(arguments, environment: environment)
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Waits for a launched process on a Dispatch thread (never blocking the cooperative pool).
    public static func wait(_ process: Process) async -> Int32 {
        await withCheckedContinuation { done in
            DispatchQueue.global().async {
                process.waitUntilExit()
                done.resume(returning: process.terminationStatus)
            }
        }
    }

    /// `fpreport arguments…` with `environment` added to a minimal one and no standard input.
    private static func makeProcess(_ arguments: [String], environment: [String: String]) throws -> Process {
        guard let executable = executable() else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { $1 }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        return process
    }

    private static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    /// Runs `fpreport arguments…` with `environment` added to a minimal one, in `directory`.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) async throws -> Result {
        let process = try makeProcess(arguments, environment: environment)
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Blocking reads and the wait run on Dispatch threads, never on the cooperative pool: a test
        // may serve the simulator this process talks to from that pool.
        async let stdout = readToEnd(out.fileHandleForReading)
        async let stderr = readToEnd(err.fileHandleForReading)
        let (outData, errData) = await (stdout, stderr)
        _ = await wait(process)
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
