import FPModel
import Foundation

/// Wall and CPU time of a block, and the process's peak resident memory.
struct Measurement {
    var wall: Double
    var cpu: Double
}

enum Measure {
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Peak resident set size of this process so far, in MiB.
    static func peakMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func run(_ body: () async throws -> Void) async rethrows -> Measurement {
        let cpu0 = cpuSeconds()
        let wall0 = ContinuousClock.now
        try await body()
        return Measurement(wall: (ContinuousClock.now - wall0).inSeconds, cpu: cpuSeconds() - cpu0)
    }

    /// Runs `body` `repetitions` times after one warm-up and returns the median by wall time.
    static func median(_ repetitions: Int, warmUp: Bool = true, _ body: () async throws -> Void) async rethrows -> Measurement {
        if warmUp { _ = try await run(body) }
        var all: [Measurement] = []
        for _ in 0..<max(1, repetitions) { all.append(try await run(body)) }
        return all.sorted { $0.wall < $1.wall }[all.count / 2]
    }
}

/// One result line, printed as JSON by a scenario process and read by the driver.
struct ResultLine: Codable {
    var scenario: String
    var metric: String
    var value: Double
    var unit: String
    var note: String
}

func emit(_ scenario: String, _ metric: String, _ value: Double, _ unit: String, _ note: String = "") {
    let line = ResultLine(scenario: scenario, metric: metric, value: value, unit: unit, note: note)
    let data = (try? JSONEncoder().encode(line)) ?? Data()
    FileHandle.standardOutput.write(Data(("RESULT " + String(decoding: data, as: UTF8.self) + "\n").utf8))
}
