import CXLSXWriter

/// A native chart whose series point at cell ranges of a sheet (by sheet name and numbers, never formulas).
public final class Chart {
    /// The chart types fpreport uses.
    public enum Kind: Sendable {
        case line, stackedColumn, bar, column

        var raw: UInt8 {
            switch self {
            case .line: UInt8(LXW_CHART_LINE.rawValue)
            case .stackedColumn: UInt8(LXW_CHART_COLUMN_STACKED.rawValue)
            case .bar: UInt8(LXW_CHART_BAR.rawValue)
            case .column: UInt8(LXW_CHART_COLUMN.rawValue)
            }
        }
    }

    /// A rectangle of cells on a named sheet, zero-based and inclusive.
    public struct Range: Sendable {
        public var sheet: String
        public var firstRow: Int
        public var firstColumn: Int
        public var lastRow: Int
        public var lastColumn: Int

        public init(sheet: String, firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) {
            self.sheet = sheet
            self.firstRow = firstRow
            self.firstColumn = firstColumn
            self.lastRow = lastRow
            self.lastColumn = lastColumn
        }

        /// One column from `firstRow` to `lastRow`.
        public static func column(_ column: Int, rows: ClosedRange<Int>, sheet: String) -> Range {
            Range(sheet: sheet, firstRow: rows.lowerBound, firstColumn: column, lastRow: rows.upperBound, lastColumn: column)
        }
    }

    let workbook: Workbook
    private let chart: UnsafeMutablePointer<lxw_chart>

    init(workbook: Workbook, handle: UnsafeMutablePointer<lxw_chart>) {
        self.workbook = workbook
        self.chart = handle
    }

    /// The chart while its workbook is open, nil after: `close` frees it with the workbook, so
    /// setters then do nothing and ``addSeries(name:categories:values:color:)`` throws.
    var handle: UnsafeMutablePointer<lxw_chart>? { workbook.isOpen ? chart : nil }

    /// Adds a series of `values` over `categories`, named `name`, in colour `color` (0xRRGGBB).
    public func addSeries(name: String, categories: Range, values: Range, color: UInt32? = nil) throws {
        guard let handle else { throw XLSXError(message: "the workbook is already closed", context: "chart series \(name)") }
        guard let series = chart_add_series(handle, nil, nil) else {
            throw XLSXError(message: "cannot add a series", context: "chart series \(name)")
        }
        categories.sheet.withCString {
            chart_series_set_categories(
                series, $0, lxw_row_t(categories.firstRow), lxw_col_t(categories.firstColumn),
                lxw_row_t(categories.lastRow), lxw_col_t(categories.lastColumn))
        }
        values.sheet.withCString {
            chart_series_set_values(
                series, $0, lxw_row_t(values.firstRow), lxw_col_t(values.firstColumn), lxw_row_t(values.lastRow),
                lxw_col_t(values.lastColumn))
        }
        name.withCString { chart_series_set_name(series, $0) }
        if let color {
            var fill = lxw_chart_fill()
            fill.color = color
            chart_series_set_fill(series, &fill)
            var line = lxw_chart_line()
            line.color = color
            line.width = 2.25
            chart_series_set_line(series, &line)
        }
    }

    public func setTitle(_ title: String) {
        guard let handle else { return }
        title.withCString { chart_title_set_name(handle, $0) }
    }

    public func setAxisNames(x: String?, y: String?) {
        guard let handle else { return }
        if let x { x.withCString { chart_axis_set_name(handle.pointee.x_axis, $0) } }
        if let y { y.withCString { chart_axis_set_name(handle.pointee.y_axis, $0) } }
    }

    /// Number format of the value axis, such as `0%`.
    public func setValueAxisFormat(_ format: String, horizontalBars: Bool = false) {
        guard let handle else { return }
        let axis = horizontalBars ? handle.pointee.x_axis : handle.pointee.y_axis
        format.withCString { chart_axis_set_num_format(axis, $0) }
    }

    /// The number format of the category (x) axis labels, for categories that are dates.
    public func setCategoryAxisFormat(_ format: String) {
        guard let handle else { return }
        format.withCString { chart_axis_set_num_format(handle.pointee.x_axis, $0) }
    }

    public func legendAtBottom() { handle.map { chart_legend_set_position($0, UInt8(LXW_CHART_LEGEND_BOTTOM.rawValue)) } }
    public func hideLegend() { handle.map { chart_legend_set_position($0, UInt8(LXW_CHART_LEGEND_NONE.rawValue)) } }
    /// Days with no data stay gaps instead of dropping to zero.
    public func showBlanksAsGaps() { handle.map { chart_show_blanks_as($0, UInt8(LXW_CHART_BLANKS_AS_GAP.rawValue)) } }
}
