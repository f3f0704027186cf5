import FPTestSupport
import Testing
import XLSXWriter

/// The wrapper's promises about libxlsxwriter's memory: nothing reaches the C library through a
/// closed workbook or with another workbook's format.
@Suite struct WorkbookWrapperTests {
    @Test func aSheetOfAClosedWorkbookRefusesEveryWrite() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let workbook = try Workbook(path: folder.path("closed.xlsx"))
        let sheet = try workbook.addWorksheet(named: "Data")
        let style = workbook.style(CellFormat(numberFormat: "0.0%"))
        try sheet.write(0.5, row: 1, column: 0, style: style)
        try workbook.close()
        let text = #expect(throws: XLSXError.self) { try sheet.write("late", row: 2, column: 0) }
        #expect(text?.description.contains("already closed") == true)
        #expect(throws: XLSXError.self) { try sheet.write(1, row: 2, column: 1, style: style) }
        #expect(throws: XLSXError.self) { try sheet.setColumns(0, 1, width: 10) }
        #expect(throws: XLSXError.self) { try sheet.setUpPrinting(headerRow: 0) }
        sheet.freezePanes(row: 1, column: 0)
        sheet.activate()
    }

    @Test func aChartWorksOnlyInItsOwnOpenWorkbook() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let first = try Workbook(path: folder.path("first.xlsx"))
        let second = try Workbook(path: folder.path("second.xlsx"))
        let sheet = try second.addWorksheet(named: "Data")
        let foreign = try first.addChart(.line)
        let error = #expect(throws: XLSXError.self) { try sheet.insert(foreign, row: 0, column: 0) }
        #expect(error?.description.contains("another workbook") == true)
        try first.close()
        // Closed with its workbook: setters do nothing, a series is refused.
        foreign.setTitle("late")
        foreign.hideLegend()
        #expect(throws: XLSXError.self) {
            try foreign.addSeries(name: "late", categories: .column(0, rows: 1...2, sheet: "Data"), values: .column(1, rows: 1...2, sheet: "Data"))
        }
        try second.close()
    }

    @Test func aStyleWorksOnlyInItsOwnWorkbook() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let first = try Workbook(path: folder.path("first.xlsx"))
        let second = try Workbook(path: folder.path("second.xlsx"))
        let sheet = try second.addWorksheet(named: "Data")
        let foreign = first.style(CellFormat(numberFormat: "0.0%"))
        let error = #expect(throws: XLSXError.self) { try sheet.write(0.25, row: 1, column: 0, style: foreign) }
        #expect(error?.description.contains("another workbook") == true)
        try sheet.write(0.25, row: 1, column: 0, style: second.style(CellFormat(numberFormat: "0.0%")))
        try first.close()
        try second.close()
    }
}
