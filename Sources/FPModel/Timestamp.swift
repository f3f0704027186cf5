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

    /// `2026-11-28T04:00:00+01:00`: local time in `timeZone` with its offset, as reports show it
    /// (`Z` for UTC). Written by hand from the civil calendar: reports format hundreds of thousands
    /// of times, and Foundation's format styles cost microseconds each.
    /// `separator` between date and time: `T` as ISO 8601 has it, or a space for people
    /// (`2026-11-14 16:00:30+01:00`, in report tables).
    public static func format(_ date: Date, in timeZone: TimeZone, separator: String = "T") -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let offset = Int64(timeZone.secondsFromGMT(for: date))
        let local = seconds + offset
        var days = local / 86_400
        var rest = local % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        // One string, written as bytes: no intermediate strings (a batch table formats three a row).
        let zone = offset == 0 ? 1 : 6
        return String(unsafeUninitializedCapacity: 18 + separator.utf8.count + zone) { buffer in
            var at = 0
            func put(_ value: Int64, _ width: Int) {
                var rest = value
                for position in stride(from: at + width - 1, through: at, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: abs(rest % 10))
                    rest /= 10
                }
                at += width
            }
            func put(_ byte: Unicode.Scalar) {
                buffer[at] = UInt8(ascii: byte)
                at += 1
            }
            put(year, 4); put("-"); put(month, 2); put("-"); put(day, 2)
            for byte in separator.utf8 {
                buffer[at] = byte
                at += 1
            }
            put(rest / 3600, 2); put(":"); put(rest % 3600 / 60, 2); put(":"); put(rest % 60, 2)
            if offset == 0 {
                put("Z")
            } else {
                let magnitude = abs(offset)
                put(offset < 0 ? "-" : "+"); put(magnitude / 3600, 2); put(":"); put(magnitude % 3600 / 60, 2)
            }
            return at
        }
    }
}

extension TimeZone {
    /// The IANA name reports show; Foundation on Linux calls UTC "GMT", which users did not write.
    public var reportName: String { identifier == "GMT" ? "UTC" : identifier }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
