import CXLSXWriter

/// One sheet of a ``Workbook``. Rows and columns are zero-based.
public final class Worksheet {
    // Keeps the workbook (which owns the sheet's memory) alive as long as the sheet is used.
    private let workbook: Workbook
    private let handle: UnsafeMutablePointer<lxw_worksheet>
    public let name: String

    init(workbook: Workbook, handle: UnsafeMutablePointer<lxw_worksheet>, name: String) {
        self.workbook = workbook
        self.handle = handle
        self.name = name
    }

    private func context(_ row: Int, _ column: Int) -> String { "sheet \(name), row \(row + 1), column \(column + 1)" }

    /// The sheet's handle while its workbook is open; after `close` libxlsxwriter has freed it.
    private func open(_ what: @autoclosure () -> String) throws -> UnsafeMutablePointer<lxw_worksheet> {
        guard workbook.isOpen else { throw XLSXError(message: "the workbook is already closed", context: what()) }
        return handle
    }

    /// Excel's last row: a sheet holds at most this many, the header included.
    public static let maxRows = 1_048_576
    /// The longest text a cell holds (libxlsxwriter counts it in UTF-8 bytes, Excel in characters).
    public static let maxCellBytes = 32_767

    /// Writes `text` as a string cell; text over ``maxCellBytes`` is cut at a character boundary
    /// and ends with a visible "[cut: …]" marker, rather than failing the workbook.
    public func write(_ text: String, row: Int, column: Int, format: CellFormat? = nil) throws {
        // Text is always written as a string cell, never as a formula, whatever it starts with.
        try Self.fitting(text).withCString {
            try check(
                worksheet_write_string(try open(context(row, column)), lxw_row_t(row), lxw_col_t(column), $0, workbook.format(format)),
                context(row, column))
        }
    }

    /// `text` itself when it fits a cell; otherwise its longest prefix that fits with the marker.
    public static func fitting(_ text: String) -> String {
        let bytes = text.utf8.count
        guard bytes > maxCellBytes else { return text }
        let marker = " … [cut: \(bytes) bytes in all; a cell holds \(maxCellBytes)]"
        var size = 0
        var end = text.startIndex
        for index in text.indices {
            size += text[index].utf8.count
            if size + marker.utf8.count > maxCellBytes { break }
            end = text.index(after: index)
        }
        return text[..<end] + marker
    }

    public func write(_ number: Double, row: Int, column: Int, format: CellFormat? = nil) throws {
        try write(number, row: row, column: column, style: workbook.style(format))
    }

    /// A number in a format resolved beforehand with ``Workbook/style(_:)``.
    public func write(_ number: Double, row: Int, column: Int, style: Workbook.Style) throws {
        guard style.owner == ObjectIdentifier(workbook) else {
            throw XLSXError(message: "a style of another workbook", context: context(row, column))
        }
        try check(
            worksheet_write_number(try open(context(row, column)), lxw_row_t(row), lxw_col_t(column), number, style.format),
            context(row, column))
    }

    /// Sets the width (in characters) of columns `first...last`, with an optional default format.
    public func setColumns(_ first: Int, _ last: Int, width: Double, format: CellFormat? = nil) throws {
        let what = "sheet \(name), column widths"
        try check(worksheet_set_column(try open(what), lxw_col_t(first), lxw_col_t(last), width, workbook.format(format)), what)
    }

    public func freezePanes(row: Int, column: Int) {
        guard workbook.isOpen else { return }
        worksheet_freeze_panes(handle, lxw_row_t(row), lxw_col_t(column))
    }

    public func autofilter(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) throws {
        let what = "sheet \(name), autofilter"
        try check(
            worksheet_autofilter(try open(what), lxw_row_t(firstRow), lxw_col_t(firstColumn), lxw_row_t(lastRow), lxw_col_t(lastColumn)),
            what)
    }

    /// Suppresses Excel's "number stored as text" warning on a range (ids are text on purpose).
    public func ignoreNumbersStoredAsText(range: String) throws {
        let what = "sheet \(name), ignore errors"
        let sheet = try open(what)
        try range.withCString { try check(worksheet_ignore_errors(sheet, UInt8(LXW_IGNORE_NUMBER_STORED_AS_TEXT.rawValue), $0), what) }
    }

    /// A two-colour scale over a column range from `low` (at 0) to `high` (at `maximum` and above).
    public func colorScale(firstRow: Int, lastRow: Int, column: Int, lowColor: UInt32, highColor: UInt32, maximum: Double) throws {
        var rule = lxw_conditional_format()
        rule.type = UInt8(LXW_CONDITIONAL_2_COLOR_SCALE.rawValue)
        rule.min_color = lowColor
        rule.max_color = highColor
        rule.min_rule_type = UInt8(LXW_CONDITIONAL_RULE_TYPE_NUMBER.rawValue)
        rule.min_value = 0
        rule.max_rule_type = UInt8(LXW_CONDITIONAL_RULE_TYPE_NUMBER.rawValue)
        rule.max_value = maximum
        try check(
            worksheet_conditional_format_range(
                try open("sheet \(name), conditional format"), lxw_row_t(firstRow), lxw_col_t(column), lxw_row_t(lastRow),
                lxw_col_t(column), &rule),
            "sheet \(name), conditional format")
    }

    /// Places `chart` (one of this sheet's workbook) with its top-left corner at the cell, scaled.
    public func insert(_ chart: Chart, row: Int, column: Int, xScale: Double = 1, yScale: Double = 1) throws {
        let sheet = try open("sheet \(name), chart")
        guard chart.workbook === workbook, let handle = chart.handle else {
            throw XLSXError(message: "a chart of another workbook", context: "sheet \(name), chart")
        }
        var options = lxw_chart_options()
        options.x_scale = xScale
        options.y_scale = yScale
        try check(worksheet_insert_chart_opt(sheet, lxw_row_t(row), lxw_col_t(column), handle, &options), "sheet \(name), chart")
    }

    /// Landscape, fit to one page wide, header row repeated: how a manager prints it.
    public func setUpPrinting(headerRow: Int?) throws {
        let handle = try open("sheet \(name), printing")
        worksheet_set_landscape(handle)
        worksheet_fit_to_pages(handle, 1, 0)
        if let headerRow {
            try check(worksheet_repeat_rows(handle, lxw_row_t(headerRow), lxw_row_t(headerRow)), "sheet \(name), print titles")
        }
    }

    public func activate() {
        guard workbook.isOpen else { return }
        worksheet_activate(handle)
    }
}
