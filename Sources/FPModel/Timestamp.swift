import Foundation

/// Seconds since the Unix epoch, UTC: the one time representation stored and compared.
///
/// Whole seconds are enough (runs are minutes apart) and make re-runs at the same `as_of` compare equal.
public typealias UnixSeconds = Int64

extension Date {
    /// This instant truncated to whole seconds since the epoch.
    public var unixSeconds: UnixSeconds { UnixSeconds(timeIntervalSince1970.rounded(.down)) }

    /// The instant `seconds` after the epoch.
    public init(unixSeconds seconds: UnixSeconds) {
        self.init(timeIntervalSince1970: TimeInterval(seconds))
    }
}

/// Parses and formats ISO 8601 instants the way every fpreport output writes them.
public enum ISO8601 {
    /// Parses `2026-11-28T03:00:00Z`, `2026-11-28T03:00:00+01:00` or with fractional seconds.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? Date(text, strategy: fractional)
    }

    /// `2026-11-28T04:00:00+01:00`: local time in `timeZone` with its offset, as reports show it.
    public static func format(_ date: Date, in timeZone: TimeZone) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: timeZone)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon)
        let text = style.format(date)
        // Foundation writes UTC as "Z"; keep it, it is valid ISO 8601 with an offset.
        return text
    }
}

extension TimeZone {
    /// The IANA name reports show; Foundation on Linux calls UTC "GMT", which users did not write.
    public var reportName: String { identifier == "GMT" ? "UTC" : identifier }
}
