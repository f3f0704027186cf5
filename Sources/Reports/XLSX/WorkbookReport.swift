import BatchMetrics
import FPModel
import Foundation
import XLSXWriter

/// Writes `report.xlsx`: a Summary sheet with definitions and native charts, then one sheet per table.
///
/// Real numbers, real Excel dates in the report time zone (named in the header), ids as text,
/// percentages formatted, header frozen, autofilter, computed widths. No cell is a formula.
struct WorkbookReport {
    let data: ReportData
    /// Above this many rows in the two large sheets (batches and daily trend), the workbook is
    /// written in constant-memory mode: libxlsxwriter otherwise holds every cell until it closes
    /// (about 3 KB a row: a 1,000-account manager's 13,000 rows, two workbooks at once on 2 cores,
    /// took the 10,000-account report from 104 to 133 MiB).
    var constantMemoryThreshold = 5_000
    /// The most rows a sheet may have, its header included: Excel's limit, lower in tests.
    var rowLimit = Worksheet.maxRows
    /// Above this many rows, the Daily trend sheet holds the fleet's days only: every account's
    /// week at 10,000 accounts is a table for a program, not a sheet for a person. The accounts'
    /// days stay in csv/daily.csv and in each manager's workbook.
    var maxDailyRows = 50_000
    /// Up to this many rows the sheet holds each account's whole series, as csv/daily.csv does.
    var maxFullDailyRows = ReportTables.maxFullDailyRows
    static let perAccountDaysNote = "Each account's days are in csv/daily.csv and in its manager's workbook (managers/); "
        + "this sheet holds the fleet's days alone when the accounts' would pass 50,000 rows."
    /// Said when the sheet holds fewer of each account's days than of the fleet's.
    static func shortAccountDaysNote(_ days: Int) -> String {
        "Each account's last \(days) days are here (a large fleet's 30 days would repeat every night); "
            + "its 30 days are on its page (accounts/), with their CSV."
    }

    /// How many of `table`'s rows fit a sheet, leaving a row for the header and one for the note
    /// that says what was left out; all of them when they fit.
    func rowsShown(_ table: Table) -> Int {
        table.rows.count <= rowLimit - 1 ? table.rows.count : rowLimit - 2
    }

    /// Where the rows a sheet leaves out are, for the note that ends it.
    static func elsewhere(_ table: Table) -> String {
        let csv = "the full table is csv/\(table.name).csv"
        return table.name == "batches" ? csv + "; every batch ever seen: fpreport export batches" : csv
    }

    var largeSheetRows: Int {
        data.night.batches.count + dailyTable().table.rows.count
    }

    static let header = CellFormat(bold: true, wrap: true, backgroundColor: 0xE8EEF4, bottomBorder: true)
    static let title = CellFormat(bold: true, fontSize: 16)
    static let note = CellFormat(italic: true, fontColor: 0x555555)
    static let warning = CellFormat(bold: true, fontColor: 0x9C0006, backgroundColor: 0xFFC7CE)

    func write(to url: URL) throws {
        let workbook = try Workbook(
            path: url.path,
            options: .init(constantMemory: largeSheetRows > constantMemoryThreshold,
                           temporaryDirectory: url.deletingLastPathComponent().path))
        try setProperties(workbook)
        let styles = Styles(workbook)
        let names = ["Summary", "Accounts", "Statuses", "Daily trend", "Batches", "Collection"]
        let summarySheet = try workbook.addWorksheet(named: names[0])
        try writeSummary(summarySheet, table: ReportTables.summary(data), workbook: workbook, styles: styles, dailySheet: names[3])
        // One table at a time: only the sheet being written is in memory.
        for (build, name) in zip(ReportTables.builders.dropFirst(), names.dropFirst()) {
            var table = build(data)
            var note: String?
            if table.name == "daily" { (table, note) = dailyTable() }
            let sheet = try workbook.addWorksheet(named: name)
            try writeTable(table, to: sheet, styles: styles, frozenColumns: ["accounts", "batches"].contains(table.name) ? 2 : 0, note: note)
        }
        summarySheet.activate()
        try workbook.close()
    }

    /// The Daily trend sheet's table, and the note that says what it leaves out.
    private func dailyTable() -> (table: Table, note: String?) {
        let days = ReportTables.accountDays(data, maxFullRows: maxFullDailyRows)
        let table = ReportTables.daily(data, accountDays: days)
        if table.rows.count > maxDailyRows { return (ReportTables.daily(data, accountDays: 0), Self.perAccountDaysNote) }
        return (table, days < data.trends.fleet.count ? Self.shortAccountDaysNote(days) : nil)
    }

    private func setProperties(_ workbook: Workbook) throws {
        let night = data.night
        let asOf = night.dataAsOf.map { ISO8601.format(Date(unixSeconds: $0), in: data.timeZone) } ?? "no data"
        try workbook.setProperties(.init(
            title: "fpreport \(night.window.date) — \(data.scope)", subject: "FirstPromoter batch processes",
            author: "fpreport \(data.toolVersion)",
            comments: "Window \(night.window.date) (\(data.timeZone.reportName)); data as of \(asOf)",
            // The creation time is the data's, not the clock's: same history, same bytes.
            created: Date(unixSeconds: night.dataAsOf ?? night.window.end)))
        try workbook.setCustomProperty("Run ID", night.lastRunID.map(String.init) ?? "none")
        try workbook.setCustomProperty("Generated at", asOf)
        try workbook.setCustomProperty("Report date", night.window.date)
    }

    // MARK: Data sheets

    /// Header row, typed cells, widths, frozen header, autofilter, and the per-column conveniences.
    private func writeTable(_ table: Table, to sheet: Worksheet, styles: Styles, frozenColumns: Int, note: String? = nil) throws {
        for (index, column) in table.columns.enumerated() {
            try sheet.write(header(column), row: 0, column: index, format: Self.header)
        }
        // The rows the widths are measured on are made once and written from the same array: a
        // table's rows are made as they are read, and a manager's small tables were made twice.
        let measured = Array(table.rows.prefix(Self.widthSample))
        for (column, width) in widths(table, measuring: measured).enumerated() {
            try sheet.setColumns(column, column, width: width)
        }
        let shown = rowsShown(table)
        let lastRow = max(1, shown)
        // Ranges first: in constant-memory mode libxlsxwriter refuses a range that ends above the
        // row being written, and the note row comes after the last data row.
        sheet.freezePanes(row: 1, column: frozenColumns)
        try sheet.autofilter(firstRow: 0, firstColumn: 0, lastRow: lastRow, lastColumn: table.columns.count - 1)
        try sheet.ignoreNumbersStoredAsText(range: "A1:XFD1048576")
        if let rate = table.index(of: "failure_rate"), !table.rows.isEmpty {
            try sheet.colorScale(firstRow: 1, lastRow: lastRow, column: rate, lowColor: 0xF8FBF4, highColor: 0xE06666, maximum: 0.5)
        }
        for index in 0..<shown {
            for (column, cell) in (index < measured.count ? measured[index] : table.rows[index]).enumerated() {
                try write(cell, to: sheet, row: index + 1, column: column, styles: styles)
            }
        }
        if shown < table.rows.count {
            // The sheet ends with what it left out, in its last row, so a reader cannot miss it.
            try sheet.write(
                "\(table.rows.count - shown) more rows left out: a sheet ends at \(rowLimit) rows; \(Self.elsewhere(table)).",
                row: shown + 1, column: 0, format: Self.warning)
        } else if let note {
            try sheet.write(note, row: shown + 2, column: 0, format: Self.warning)
        }
        try sheet.setUpPrinting(headerRow: 0)
    }

    func write(_ cell: Cell, to sheet: Worksheet, row: Int, column: Int, styles: Styles) throws {
        switch cell {
        case .text(let text): try sheet.write(text, row: row, column: column)
        case .date(let day):
            if let serial = ExcelDate.serial(day: day) {
                try sheet.write(serial, row: row, column: column, style: styles.date)
            } else {
                try sheet.write(day, row: row, column: column)
            }
        case .integer(let value): try sheet.write(Double(value), row: row, column: column, style: styles.integer)
        case .fraction(let value): try sheet.write(value, row: row, column: column, style: styles.percent)
        case .decimal(let value): try sheet.write(value, row: row, column: column, style: styles.decimal)
        case .timestamp(let seconds):
            try sheet.write(ExcelDate.serial(seconds, in: data.timeZone), row: row, column: column, style: styles.dateTime)
        case .empty: break
        }
    }

    /// A column's header: its words, with the time zone for times and days.
    func header(_ column: Column) -> String {
        column.format == .timestamp || column.format == .date ? "\(column.label) (\(data.timeZone.reportName))" : column.label
    }

    /// How many of a table's first rows its column widths are measured on.
    static let widthSample = 2000

    /// Widths in characters from the longest rendered value of `rows`, the table's first
    /// ``widthSample`` (the C library has no autofit). One pass: each row is read once, not once per column.
    func widths(_ table: Table, measuring rows: [[Cell]]) -> [Double] {
        var longest = table.columns.map { declared in
            let header = header(declared).count
            return declared.format == .timestamp ? max(min(header, 22), 17) : header
        }
        for row in rows {
            for (column, cell) in row.enumerated() {
                let length: Int
                switch cell {
                // Measured without making strings: ASCII text is as long as its bytes (counting
                // characters walks each one), and a number as long as its digits.
                case .text(let text): length = text.utf8.contains(where: { $0 >= 0x80 }) ? text.count : text.utf8.count
                case .date: length = 10
                case .integer(let value): length = Self.digits(value) + 1
                case .fraction: length = 7
                case .decimal(let value): length = FixedPoint.format(value, digits: 2).count + 1
                case .timestamp: length = 17
                case .empty: continue
                }
                longest[column] = max(longest[column], length)
            }
        }
        return longest.map { Double(min(max($0, 6), 60)) + 2 }
    }

    /// How many characters `value` is written with, its minus sign included.
    static func digits(_ value: Int) -> Int {
        var (count, rest) = (value < 0 ? 2 : 1, value.magnitude)
        while rest >= 10 {
            count += 1
            rest /= 10
        }
        return count
    }

    // MARK: Summary

    /// A summary row's unit as the sheet shows it: a fraction in summary.csv is a percentage
    /// here, whose cell already says so.
    static func unitShown(_ cells: [Cell]) -> String {
        guard case .text(let unit) = cells[2] else { return "" }
        return unit == "fraction" ? "" : unit
    }

    /// The figures the Summary sheet opens with, by their names in summary.csv.
    static let headline = [
        "completed", "failed", "stopped", "failure_rate", "stop_rate", "progress_points_per_hour", "time_to_terminal_p50",
        "time_to_terminal_p95", "stuck_in_progress", "old_pending", "accounts_collected_ok", "accounts_failed_to_collect",
    ]

    private func writeSummary(_ sheet: Worksheet, table: Table, workbook: Workbook, styles: Styles, dailySheet: String) throws {
        let night = data.night
        try sheet.setColumns(0, 0, width: 34)
        try sheet.setColumns(1, 1, width: 27)
        try sheet.setColumns(2, 2, width: 12)
        // Definitions run on in one line each: row heights stay even in every spreadsheet.
        try sheet.setColumns(3, 3, width: 125)
        try sheet.write("FirstPromoter batch processes — \(night.window.date)", row: 0, column: 0, format: Self.title)
        let asOf = night.dataAsOf.map { ISO8601.format(Date(unixSeconds: $0), in: data.timeZone) } ?? "no collection yet"
        try sheet.write(
            "\(data.scope). Window: \(night.window.date) 00:00 to 24:00 \(data.timeZone.reportName) (\(Int(night.window.hours)) h). "
                + "Data as of \(asOf), run \(night.lastRunID.map(String.init) ?? "none"). fpreport \(data.toolVersion).",
            row: 1, column: 0, format: Self.note)
        var row = 2
        if !night.hasData {
            try sheet.write("No collection ran in this window: figures below are a gap, not zeros.", row: row, column: 0, format: Self.warning)
            row += 1
        }
        let failed = night.collection.failedAccounts
        if !failed.isEmpty {
            let names = failed.prefix(20).map(\.accountID).joined(separator: ", ") + (failed.count > 20 ? ", …" : "")
            try sheet.write(
                "Partial data: \(failed.count) account(s) failed at the last collection of the window: \(names). See the Accounts and Collection sheets.",
                row: row, column: 0, format: Self.warning)
            row += 1
        }
        if let dailyNote = dailyTable().note {
            try sheet.write(dailyNote, row: row, column: 0, format: Self.note)
            row += 1
        }
        let batches = ReportTables.batches(data)
        if rowsShown(batches) < batches.rows.count {
            try sheet.write(
                "The batches sheet shows \(rowsShown(batches)) of \(batches.rows.count) rows (a sheet ends at \(rowLimit) rows); "
                    + "\(Self.elsewhere(batches)).",
                row: row, column: 0, format: Self.warning)
            row += 1
        }
        // The headline first, under words; every figure with its definition follows.
        row += 1
        try sheet.write("Headline", row: row, column: 0, format: Self.header)
        try sheet.write("", row: row, column: 1, format: Self.header)
        try sheet.write("", row: row, column: 2, format: Self.header)
        let byMetric = Dictionary(table.rows.map { row -> (String, [Cell]) in
            if case .text(let metric) = row[0] { return (metric, row) }
            return ("", row)
        }, uniquingKeysWith: { a, _ in a })
        for metric in Self.headline {
            guard let cells = byMetric[metric] else { throw ReportError("the summary has no figure \(metric)") }
            row += 1
            try sheet.write(ColumnLabel.label(metric), row: row, column: 0)
            try write(cells[1], to: sheet, row: row, column: 1, styles: styles)
            try sheet.write(Self.unitShown(cells), row: row, column: 2)
        }
        row += 2
        try sheet.write("Every figure, with its definition", row: row, column: 0, format: Self.note)
        row += 1
        let headerRow = row
        for (index, column) in table.columns.enumerated() {
            try sheet.write(column.label, row: row, column: index, format: Self.header)
        }
        for cells in table.rows {
            row += 1
            for (column, cell) in cells.enumerated() {
                if column == 0, case .text(let metric) = cell {
                    // The headline figures under words; the machine name stays in summary.csv.
                    try sheet.write(ColumnLabel.label(metric), row: row, column: column)
                } else if column == 2 {
                    try sheet.write(Self.unitShown(cells), row: row, column: column)
                } else if column == 1, case .timestamp(let seconds) = cell {
                    // One column mixes kinds here; show times as text with their offset so none is ambiguous.
                    try sheet.write(ISO8601.format(Date(unixSeconds: seconds), in: data.timeZone), row: row, column: column)
                } else {
                    try write(cell, to: sheet, row: row, column: column, styles: styles)
                }
            }
        }
        sheet.freezePanes(row: 0, column: 0)
        try sheet.ignoreNumbersStoredAsText(range: "A1:XFD1048576")
        try sheet.setUpPrinting(headerRow: headerRow)
        try insertCharts(sheet, workbook: workbook, dailySheet: dailySheet, startRow: row + 2)
    }

    /// Daily throughput (line), status mix (stacked columns) and the worst accounts (bars).
    private func insertCharts(_ sheet: Worksheet, workbook: Workbook, dailySheet: String, startRow: Int) throws {
        let days = data.trends.fleet.count
        guard days > 0 else { return }
        // The Daily trend sheet starts with the fleet rows, one per day, under a header row; its
        // columns are found by name.
        let daily = dailyTable().table
        func column(_ name: String) throws -> Chart.Range {
            guard let index = daily.index(of: name) else { throw ReportError("the \(dailySheet) sheet has no column \(name)") }
            return .column(index, rows: 1...days, sheet: dailySheet)
        }
        let dates = try column("date")
        let throughput = try workbook.addChart(.line)
        throughput.setTitle("Batches finished per day")
        for status in [BatchStatus.completed, .failed, .stopped] {
            try throughput.addSeries(
                name: status.rawValue, categories: dates, values: try column(status.rawValue), color: Palette.color(for: status))
        }
        throughput.setAxisNames(x: "Day (\(data.timeZone.reportName))", y: "Batches")
        // The categories are real dates (Daily trend's date column): label them as dates.
        throughput.setCategoryAxisFormat("mm-dd")
        throughput.legendAtBottom()
        throughput.showBlanksAsGaps()
        try sheet.insert(throughput, row: startRow, column: 0, xScale: 1.6, yScale: 1.2)

        let mix = try workbook.addChart(.stackedColumn)
        mix.setTitle("Batches by status at the end of each day")
        for status in BatchStatus.allCases {
            try mix.addSeries(
                name: status.rawValue, categories: dates, values: try column("\(status.rawValue)_at_end"), color: Palette.color(for: status))
        }
        mix.setCategoryAxisFormat("mm-dd")
        mix.legendAtBottom()
        mix.showBlanksAsGaps()
        try sheet.insert(mix, row: startRow + 20, column: 0, xScale: 1.6, yScale: 1.2)

        guard !data.worst.isEmpty else { return }
        // The worst accounts' numbers sit under the charts, so the chart and its data travel together.
        let top = startRow + 60
        try sheet.write("Worst accounts by failure rate (at least \(data.minimumFinishedForRanking) finished)", row: top, column: 3, format: Self.header)
        for (index, account) in data.worst.enumerated() {
            try sheet.write("\(account.name) (\(account.accountID))", row: top + 1 + index, column: 3)
            try sheet.write(account.failureRate ?? 0, row: top + 1 + index, column: 4, format: Formats.percent)
        }
        let worst = try workbook.addChart(.bar)
        worst.setTitle("Failure rate, worst accounts")
        try worst.addSeries(
            name: "failure rate", categories: .column(3, rows: (top + 1)...(top + data.worst.count), sheet: sheet.name),
            values: .column(4, rows: (top + 1)...(top + data.worst.count), sheet: sheet.name), color: Palette.failed)
        worst.setValueAxisFormat("0%", horizontalBars: true)
        worst.hideLegend()
        try sheet.insert(worst, row: startRow + 40, column: 0, xScale: 1.6, yScale: 1.2)
    }
}
