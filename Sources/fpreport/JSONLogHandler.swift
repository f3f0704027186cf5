import Foundation
import Logging

/// One JSON object per line on standard error, for journald and log shippers.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
        Self.write(level: event.level, label: label, message: "\(event.message)", metadata: fields)
    }

    /// Writes one JSON line to standard error.
    static func write(level: Logger.Level, label: String, message: String, metadata: [String: String] = [:]) {
        let line = Line(
            time: ISO8601DateFormatter().string(from: Date()), level: level.rawValue, label: label,
            message: message, metadata: metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(line) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }

    private struct Line: Encodable {
        var time: String
        var level: String
        var label: String
        var message: String
        var metadata: [String: String]
    }
}
