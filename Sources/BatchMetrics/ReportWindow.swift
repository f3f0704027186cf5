import FPModel
import Foundation

/// The report window for date D: local midnight to local midnight in the report time zone.
///
/// 23 or 25 hours long on daylight-saving days; the bounds are instants, so every comparison is in UTC.
public struct ReportWindow: Sendable, Hashable {
    /// `2026-11-28`.
    public var date: String
    public var start: UnixSeconds
    public var end: UnixSeconds
    public var timeZone: TimeZone

    /// The window of `date` (`YYYY-MM-DD`) in `timeZone`; nil when `date` is not a calendar date.
    public init?(date: String, timeZone: TimeZone) {
        let parts = date.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components),
            let end = calendar.date(byAdding: .day, value: 1, to: start)
        else { return nil }
        self.date = date
        self.start = start.unixSeconds
        self.end = end.unixSeconds
        self.timeZone = timeZone
    }

    /// The window of the local day that contains `instant`.
    public init(containing instant: Date, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        let text = String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        self = ReportWindow(date: text, timeZone: timeZone)!
    }

    /// The day before: what `nightly`, run after midnight, reports.
    public var previous: ReportWindow { ReportWindow(containing: Date(unixSeconds: start - 1), timeZone: timeZone) }

    /// The day `days` before or after this one.
    public func shifted(byDays days: Int) -> ReportWindow {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let noon = Date(unixSeconds: start).addingTimeInterval(12 * 3600)
        let target = calendar.date(byAdding: .day, value: days, to: noon) ?? noon
        return ReportWindow(containing: target, timeZone: timeZone)
    }

    /// Length in hours (23, 24 or 25).
    public var hours: Double { Double(end - start) / 3600 }
}
