import FPModel

/// One column of a report table, declared once for every format (SPEC section 5): the machine
/// name CSV prints, the words the workbook and the pages print, and what its cells hold, which
/// sets their number format, alignment and width everywhere.
public struct Column: Sendable, Hashable {
    public enum Format: Sendable, Hashable {
        /// Words, left as they are.
        case text
        /// An id: text, even when it is all digits.
        case identifier
        case integer
        /// A fraction shown as a percentage (a rate).
        case percent
        /// Any other quantity with decimals (hours, points per hour).
        case decimal
        /// An instant, in the report time zone.
        case timestamp
        /// A calendar day in the report time zone.
        case date
        /// A key-value table's value column: each cell says what it is.
        case mixed

        /// Right-aligned, compared as numbers.
        public var isNumeric: Bool { self == .integer || self == .percent || self == .decimal }
    }

    /// The machine name: the CSV header, and how code (a chart, a test) finds the column.
    public var name: String
    /// The words for people: the workbook's header and the pages' tables.
    public var label: String
    public var format: Format

    /// A column labelled by ``ColumnLabel``'s rule unless `label` says otherwise.
    public init(_ name: String, _ format: Format, label: String? = nil) {
        self.name = name
        self.label = label ?? ColumnLabel.label(name)
        self.format = format
    }
}

/// A column with the value it shows for each row: how a report table is declared.
///
/// Each constructor fixes the kind of cell along with the column's format, so a column declared
/// as a percentage can only hold fractions; `nil` is an empty cell (a gap, an undefined rate).
public struct Field<Row>: Sendable {
    public let column: Column
    let value: @Sendable (Row) -> Cell

    private init(_ column: Column, _ value: @escaping @Sendable (Row) -> Cell) {
        self.column = column
        self.value = value
    }

    public static func text(_ name: String, label: String? = nil, _ value: @escaping @Sendable (Row) -> String?) -> Field {
        Field(Column(name, .text, label: label)) { value($0).map(Cell.text) ?? .empty }
    }

    public static func identifier(_ name: String, label: String? = nil, _ value: @escaping @Sendable (Row) -> String?) -> Field {
        Field(Column(name, .identifier, label: label)) { value($0).map(Cell.text) ?? .empty }
    }

    public static func integer(_ name: String, label: String? = nil, _ value: @escaping @Sendable (Row) -> Int?) -> Field {
        Field(Column(name, .integer, label: label)) { value($0).map(Cell.integer) ?? .empty }
    }

    public static func percent(_ name: String, label: String? = nil, _ value: @escaping @Sendable (Row) -> Double?) -> Field {
        Field(Column(name, .percent, label: label)) { value($0).map(Cell.fraction) ?? .empty }
    }

    public static func decimal(_ name: String, label: String? = nil, _ value: @escaping @Sendable (Row) -> Double?) -> Field {
        Field(Column(name, .decimal, label: label)) { value($0).map(Cell.decimal) ?? .empty }
    }

    /// A duration given in seconds, shown in hours.
    public static func hours(_ name: String, label: String? = nil, _ seconds: @escaping @Sendable (Row) -> Int64?) -> Field {
        Field(Column(name, .decimal, label: label)) { seconds($0).map { .decimal(Double($0) / 3600) } ?? .empty }
    }

    public static func timestamp(_ name: String, label: String? = nil, _ value: @escaping @Sendable (Row) -> UnixSeconds?) -> Field {
        Field(Column(name, .timestamp, label: label)) { value($0).map(Cell.timestamp) ?? .empty }
    }

    public static func date(_ name: String, label: String? = nil, _ value: @escaping @Sendable (Row) -> String?) -> Field {
        Field(Column(name, .date, label: label)) { value($0).map(Cell.date) ?? .empty }
    }

    /// The same column, empty on rows where `shown` is false (a gap: SPEC section 4).
    public func only(when shown: @escaping @Sendable (Row) -> Bool) -> Field {
        let value = self.value
        return Field(column) { shown($0) ? value($0) : .empty }
    }
}

extension Table {
    /// A table of `fields` over `count` rows, each made from `row(index)` when a writer reads it.
    public init<Row>(name: String, fields: [Field<Row>], count: Int, row: @escaping @Sendable (Int) -> Row) {
        let values = fields.map(\.value)
        self.init(name: name, columns: fields.map(\.column), count: count) { index in
            let item = row(index)
            return values.map { $0(item) }
        }
    }

    /// A table of `fields` over `items`, its rows made when a writer reads them; with `stored`,
    /// made once now (a small table read several times, such as a chart's: its lines, its CSV
    /// link and its data table).
    public init<Row: Sendable>(name: String, fields: [Field<Row>], items: [Row], stored: Bool = false) {
        if stored {
            self.init(name: name, columns: fields.map(\.column), rows: items.map { item in fields.map { $0.value(item) } })
        } else {
            self.init(name: name, fields: fields, count: items.count) { items[$0] }
        }
    }

    /// The position of the column named `name`; code refers to columns by name, never by position.
    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// The cells of the column named `name`, top to bottom; nil without such a column.
    public func cells(of name: String) -> [Cell]? {
        index(of: name).map { index in rows.map { $0[index] } }
    }
}
