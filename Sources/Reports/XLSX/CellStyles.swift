import FPModel
import Foundation
import XLSXWriter

/// Number formats shared by every sheet.
enum Formats {
    static let integer = CellFormat(numberFormat: "#,##0")
    static let percent = CellFormat(numberFormat: "0.0%")
    static let decimal = CellFormat(numberFormat: "#,##0.00")
    static let dateTime = CellFormat(numberFormat: "yyyy-mm-dd hh:mm")
    static let date = CellFormat(numberFormat: "yyyy-mm-dd")
}

/// ``Formats`` for a workbook's data cells, each resolved on first use: the workbook makes its
/// formats in the order cells first ask for them, as it did before (the same bytes).
final class Styles {
    private let workbook: Workbook
    private var integerStyle, percentStyle, decimalStyle, dateTimeStyle, dateStyle: Workbook.Style?

    init(_ workbook: Workbook) { self.workbook = workbook }

    var integer: Workbook.Style { resolve(&integerStyle, Formats.integer) }
    var percent: Workbook.Style { resolve(&percentStyle, Formats.percent) }
    var decimal: Workbook.Style { resolve(&decimalStyle, Formats.decimal) }
    var dateTime: Workbook.Style { resolve(&dateTimeStyle, Formats.dateTime) }
    var date: Workbook.Style { resolve(&dateStyle, Formats.date) }

    private func resolve(_ slot: inout Workbook.Style?, _ spec: CellFormat) -> Workbook.Style {
        if let style = slot { return style }
        let style = workbook.style(spec)
        slot = style
        return style
    }
}

/// Excel's date serial numbers: days since 1899-12-30 in local time (the sheet header names the zone).
enum ExcelDate {
    /// The serial of a calendar day `YYYY-MM-DD` (midnight), nil when it is not one.
    static func serial(day: String) -> Double? {
        let parts = day.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(dayOfMonth) else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm), then Excel's 1899-12-30 origin.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + dayOfMonth - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Double(era * 146_097 + dayOfEra - 719_468 + 25_569)
    }

    static func serial(_ seconds: UnixSeconds, in zone: TimeZone) -> Double {
        let local = Double(seconds) + Double(zone.secondsFromGMT(for: Date(unixSeconds: seconds)))
        return local / 86_400 + 25_569
    }
}

/// A colour-blind-safe palette (Okabe–Ito), one colour per status, shared by charts in every format.
enum Palette {
    static let completed: UInt32 = 0x009E73
    static let failed: UInt32 = 0xD55E00
    static let stopped: UInt32 = 0xE69F00
    static let inProgress: UInt32 = 0x0072B2
    static let pending: UInt32 = 0x999999

    static func color(for status: BatchStatus) -> UInt32 {
        switch status {
        case .pending: pending
        case .inProgress: inProgress
        case .completed: completed
        case .failed: failed
        case .stopped: stopped
        }
    }

    static func hex(_ color: UInt32) -> String {
        let text = String(color, radix: 16, uppercase: false)
        return "#" + String(repeating: "0", count: 6 - text.count) + text
    }
}
