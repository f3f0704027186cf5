import FPTestSupport
import Testing
import XLSXWriter

@Suite struct SheetNameTests {
    @Test func sheetNamesAreSanitisedCutAndUnique() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let workbook = try Workbook(path: folder.path("names.xlsx"))
        let first = workbook.sheetName("Ana [Sales]: Q1/Q2 *draft*?")
        #expect(first == "Ana _Sales__ Q1_Q2 _draft__")
        _ = try workbook.addWorksheet(named: first)
        #expect(workbook.sheetName("ana [sales]: q1/q2 *draft*?") == "ana _sales__ q1_q2 _draft__ (2)")
        let long = workbook.sheetName(String(repeating: "x", count: 40))
        #expect(long.count == 31)
        _ = try workbook.addWorksheet(named: long)
        let again = workbook.sheetName(String(repeating: "x", count: 40))
        #expect(again.count == 31)
        #expect(again.hasSuffix(" (2)"))
        #expect(workbook.sheetName("''") == "Sheet")
        // An invalid name is refused with libxlsxwriter's own reason.
        let error = #expect(throws: XLSXError.self) { _ = try workbook.addWorksheet(named: "bad/name") }
        #expect(error?.description.contains("sheet name \"bad/name\"") == true)
        try workbook.close()
    }
}
