import FPModel
import Foundation

/// One cell of a report table, typed so every format renders it the same way.
public enum Cell: Sendable, Hashable {
    case text(String)
    case integer(Int)
    /// A fraction such as a rate (0.125 = 12.5 %); rendered with up to 4 decimals in CSV, as a percentage in XLSX.
    case fraction(Double)
    /// Any other non-integer quantity (hours, points per hour).
    case decimal(Double)
    case timestamp(UnixSeconds)
    /// A calendar day, `YYYY-MM-DD` in the report time zone: text in CSV and HTML, a real date in XLSX.
    case date(String)
    /// No value: an undefined rate, a night with no data.
    case empty
}

/// A tidy table: declared columns (``Column``) and rows of typed cells.
public struct Table: Sendable {
    public var name: String
    public var columns: [Column]
    public var rows: Rows

    public init(name: String, columns: [Column], rows: [[Cell]] = []) {
        self.name = name
        self.columns = columns
        self.rows = Rows(rows)
    }

    /// A table whose `count` rows are made one at a time as a writer reads them, so a table of
    /// hundreds of thousands of rows never sits in memory whole.
    public init(name: String, columns: [Column], count: Int, row: @escaping @Sendable (Int) -> [Cell]) {
        self.name = name
        self.columns = columns
        self.rows = Rows(count: count, row: row)
    }
}

/// The rows of a ``Table``: stored, or computed on demand.
public struct Rows: RandomAccessCollection, Sendable {
    private enum Storage: Sendable {
        case stored([[Cell]])
        case computed(count: Int, row: @Sendable (Int) -> [Cell])
    }

    private var storage: Storage

    public init(_ rows: [[Cell]]) { storage = .stored(rows) }
    public init(count: Int, row: @escaping @Sendable (Int) -> [Cell]) { storage = .computed(count: count, row: row) }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .stored(let rows): rows.count
        case .computed(let count, _): count
        }
    }

    public subscript(position: Int) -> [Cell] {
        switch storage {
        case .stored(let rows): rows[position]
        case .computed(_, let row): row(position)
        }
    }

    /// Adds a row; a computed table becomes a stored one first.
    public mutating func append(_ row: [Cell]) {
        var rows = Array(self)
        rows.append(row)
        storage = .stored(rows)
    }
}

/// RFC 4180 CSV: CRLF line ends, UTF-8, quotes only where needed, `.` decimals, ISO 8601 times
/// with their offset, and text that a spreadsheet would run as a formula neutralised.
public struct CSVWriter: Sendable {
    public var timeZone: TimeZone
    /// Prefix a UTF-8 byte-order mark, for Excel versions that otherwise guess the encoding wrong.
    public var byteOrderMark: Bool

    public init(timeZone: TimeZone, byteOrderMark: Bool = false) {
        self.timeZone = timeZone
        self.byteOrderMark = byteOrderMark
    }

    /// The whole file as text (for small tables and tests; ``write(_:to:)`` streams).
    public func render(_ table: Table) -> String {
        var out = ""
        render(table) { out += $0 }
        return out
    }

    /// Hands the file to `emit` a record at a time: the byte-order mark and header, then each row.
    func render(_ table: Table, emit: (String) throws -> Void) rethrows {
        try emit(header(table.columns.map(\.name)))
        for row in table.rows {
            try emit(record(row))
        }
    }

    /// The byte-order mark, if any, and the header record.
    public func header(_ columns: [String]) -> String {
        (byteOrderMark ? "\u{FEFF}" : "") + columns.map(Self.quote).joined(separator: ",") + "\r\n"
    }

    /// One record with its line end, grown in one string: an array of cell strings joined for
    /// each record was among the CSV writer's largest costs (about 430,000 records a night at 10,000 accounts).
    public func record(_ cells: [Cell]) -> String {
        var line = ""
        line.reserveCapacity(cells.count * 16)
        for (index, cell) in cells.enumerated() {
            if index > 0 { line.append(",") }
            line += render(cell)
        }
        line.append("\r\n")
        return line
    }

    /// Writes `table` to `url` in pieces of about a megabyte, never as one string.
    public func write(_ table: Table, to url: URL) throws {
        try TextFile.write(to: url) { emit in try render(table, emit: emit) }
    }

    func render(_ cell: Cell) -> String {
        switch cell {
        case .text(let text): Self.quote(Self.neutralise(text))
        case .date(let day): Self.quote(Self.neutralise(day))
        case .integer(let value): String(value)
        case .fraction(let value), .decimal(let value): Self.decimal(value)
        case .timestamp(let seconds): ISO8601.format(Date(unixSeconds: seconds), in: timeZone)
        case .empty: ""
        }
    }

    /// Text that starts with `= + - @`, a tab or a carriage return gets a leading `'`, so that no
    /// spreadsheet evaluates an account name such as `=HYPERLINK(…)` as a formula.
    public static func neutralise(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// Quotes `text` when it holds a comma, a quote, or a line feed or carriage return. Decided on
    /// the bytes: as Characters, "\r\n" is one that equals neither "\r" nor "\n", and a cell
    /// holding it went out unquoted, splitting the record.
    static func quote(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Up to four decimals, `.` separator, no exponent, no trailing zeros: 0.125, 1, 0.0833.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        var text = FixedPoint.format(value, digits: 4)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
