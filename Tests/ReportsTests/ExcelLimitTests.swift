import BatchMetrics
import FPModel
import FPTestSupport
import Foundation
import HistoryStore
import Testing
import XLSXWriter

@testable import Reports

/// No sheet passes Excel's limits, whatever the data: the sheet says what it left out, and the
/// workbook is still written.
@Suite struct ExcelLimitTests {
    let helpers = ReportOutputTests()

    /// The last few kilobytes of one part of an XLSX, read as a stream (the part is large).
    func tail(_ path: String, part: String) throws -> String {
        let script = """
            import sys,zipfile
            d=zipfile.ZipFile(sys.argv[1]).open(sys.argv[2]);t=b''
            for c in iter(lambda:d.read(1<<20),b''): t=(t+c)[-6000:]
            sys.stdout.write(t.decode('utf-8','replace'))
            """
        return try helpers.python(script, [path, part])
    }

    /// Every cell of the workbook of `data` written with `configure`'s limits.
    func cells(of data: ReportData, _ configure: (inout WorkbookReport) -> Void) throws -> [String] {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var workbook = WorkbookReport(data: data)
        configure(&workbook)
        try workbook.write(to: folder.url.appendingPathComponent("report.xlsx"))
        return try helpers.cellValues(folder.path("report.xlsx"))
    }

    @Test func aLowerLimitCutsEveryLongTableTheSameWay() async throws {
        let data = try await ReportFixture.data(try await ReportFixture.history())
        let cells = try cells(of: data) { $0.rowLimit = 10 }
        // Daily trend (sheet4): 28 rows in the fixture's 7 days, 8 shown under the header, the note on row 10.
        let daily = ReportTables.daily(data).rows.count
        #expect(cells.contains("sheet4.xml!A10=\(daily - 8) more rows left out: a sheet ends at 10 rows; the full table is csv/daily.csv."))
        #expect(!cells.contains { $0.hasPrefix("sheet4.xml!A11=") })
        let batches = ReportTables.batches(data).rows.count
        #expect(cells.contains { $0.hasPrefix("sheet5.xml!A10=\(batches - 8) more rows left out") })
        // Tables that fit are whole: the Accounts sheet has its three accounts and no note.
        #expect(!cells.contains { $0.hasPrefix("sheet2.xml!") && $0.contains("left out") })
    }

    @Test func aLargeFleetsDailySheetHoldsTheFleetsDaysAndSaysWhereTheAccountsAre() async throws {
        let data = try await ReportFixture.data(try await ReportFixture.history())
        let cells = try cells(of: data) { $0.maxDailyRows = 10 }
        let days = data.trends.fleet.count
        // The fleet's rows (scope "fleet"), no account's, then the note two rows below them.
        #expect(cells.filter { $0.hasPrefix("sheet4.xml!B") }.count == days + 1)
        #expect(!cells.contains("sheet4.xml!B\(days + 2)=account"))
        #expect(cells.contains("sheet4.xml!A\(days + 3)=\(WorkbookReport.perAccountDaysNote)"))
        #expect(cells.contains { $0.hasPrefix("sheet1.xml!") && $0.hasSuffix(WorkbookReport.perAccountDaysNote) })
        // The summary's chart still reads the fleet's days from the top of that sheet.
        #expect(cells.contains("sheet4.xml!B2=fleet"))
    }

    @Test func aLargeFleetsDailyTableGivesEachAccountItsLastWeek() async throws {
        // Given 30-day trends over the fixture's 3 accounts (90 account rows)
        let data = try await ReportFixture.data(try await ReportFixture.history(), days: 30)
        let full = ReportTables.daily(data).rows
        #expect(ReportTables.accountDays(data) == 30)
        #expect(full.count == 30 + 3 * 30)
        // When the accounts' rows would pass the limit, each account keeps its last 7 days
        #expect(ReportTables.accountDays(data, maxFullRows: 89) == ReportTables.shortAccountDays)
        let short = ReportTables.daily(data, accountDays: 7).rows
        #expect(short.count == 30 + 3 * 7)
        // The fleet's 30 days are whole, and each account's rows are exactly its last 7 of the full table
        #expect(Array(short.prefix(30)) == Array(full.prefix(30)))
        for account in 0..<3 {
            let start = 30 + account * 30 + 23
            #expect(Array(short[(30 + account * 7)..<(30 + account * 7 + 7)]) == Array(full[start..<(start + 7)]))
        }
        // And the workbook's Daily trend sheet does the same and says so
        let cells = try cells(of: data) { $0.maxFullDailyRows = 89 }
        #expect(cells.filter { $0.hasPrefix("sheet4.xml!B") && $0.hasSuffix("=account") }.count == 3 * 7)
        #expect(cells.contains("sheet4.xml!A\(30 + 21 + 3)=\(WorkbookReport.shortAccountDaysNote(7))"))
        #expect(cells.contains { $0.hasPrefix("sheet1.xml!") && $0.hasSuffix(WorkbookReport.shortAccountDaysNote(7)) })
    }

    @Test func dateColumnsAreRealExcelDates() async throws {
        #expect(ExcelDate.serial(day: "2026-11-14") == 46_340)
        #expect(ExcelDate.serial(day: "2000-02-29") == 36_585)
        #expect(ExcelDate.serial(day: "1900-03-01") == 61)
        #expect(ExcelDate.serial(day: "2026-13-01") == nil)
        let data = try await ReportFixture.data(try await ReportFixture.history())
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try WorkbookReport(data: data).write(to: folder.url.appendingPathComponent("dates.xlsx"))
        let cells = try helpers.cellValues(folder.path("dates.xlsx"))
        // Accounts (sheet2), Statuses (sheet3) and Daily trend (sheet4) hold the day as a number,
        // formatted yyyy-mm-dd, under a header naming the zone; the CSV keeps the text.
        #expect(cells.contains("sheet2.xml!A2=46340"))
        #expect(cells.contains("sheet3.xml!A2=46340"))
        #expect(cells.contains("sheet4.xml!A8=46340"), "the fleet's last day")
        #expect(cells.contains("sheet2.xml!A1=Date (Europe/Berlin)"))
        let styles = try helpers.unzipText(folder.path("dates.xlsx"), part: "xl/styles.xml")
        #expect(styles.contains("formatCode=\"yyyy\\-mm\\-dd\"") || styles.contains("formatCode=\"yyyy-mm-dd\""))
        #expect(CSVWriter(timeZone: .gmt).render(ReportTables.statuses(data)).contains("\r\n2026-11-14,pending,"))
    }

    @Test func textLongerThanACellHoldsIsCutVisiblyAtACharacterBoundary() async throws {
        let long = String(repeating: "é", count: 20_000) + "END"
        let fitted = Worksheet.fitting(long)
        #expect(fitted.utf8.count <= Worksheet.maxCellBytes)
        #expect(fitted.hasSuffix(" … [cut: 40003 bytes in all; a cell holds 32767]"))
        #expect(fitted.hasPrefix("éé"))
        #expect(Worksheet.fitting("short") == "short")

        // Through a whole workbook: an account name past the limit no longer fails the report.
        var data = try await ReportFixture.data(try await ReportFixture.history())
        data.night.accounts[0].name = long
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try WorkbookReport(data: data).write(to: folder.url.appendingPathComponent("long.xlsx"))
        #expect(try helpers.cellValues(folder.path("long.xlsx")).contains { $0.hasSuffix("a cell holds 32767]") })
    }
}

/// The same at Excel's real limit: a million rows is slow in a debug build, so it runs with the
/// other large tests, after the rest (see the Makefile).
@Suite struct ExcelRowLimitAtScaleTests {
    let helpers = ReportOutputTests()
    let limits = ExcelLimitTests()

    @Test func aBatchTablePastExcelsRowLimitEndsWithANoteAndTheWorkbookIsWritten() async throws {
        // Given a night with more batches than a sheet holds (made in memory: a year of a large fleet
        // is not needed to make the table this long).
        var data = try await ReportFixture.data(try await ReportFixture.history())
        let rows = Worksheet.maxRows + 23
        let time = data.night.window.start
        data.night.batches = (0..<rows).map {
            BatchStateRecord(
                accountID: "acc-1", batchID: String($0), status: .inProgress, progress: 10, firstSeenAt: time,
                lastChangeAt: time, terminalAt: nil)
        }
        let folder = try TemporaryDirectory()
        defer { folder.remove() }

        // When the workbook is written.
        try WorkbookReport(data: data).write(to: folder.url.appendingPathComponent("report.xlsx"))

        // Then the Batches sheet ends on Excel's last row with the note, and the Summary says so too.
        let end = try limits.tail(folder.path("report.xlsx"), part: "xl/worksheets/sheet5.xml")
        let shown = Worksheet.maxRows - 2
        #expect(end.contains("<row r=\"\(Worksheet.maxRows)\""))
        #expect(!end.contains("<row r=\"\(Worksheet.maxRows + 1)\""))
        #expect(end.contains("\(rows - shown) more rows left out: a sheet ends at 1048576 rows; the full table is csv/batches.csv; every batch ever seen: fpreport export batches."))
        let summary = try helpers.unzipText(folder.path("report.xlsx"), part: "xl/worksheets/sheet1.xml")
        #expect(summary.contains("The batches sheet shows \(shown) of \(rows) rows"))
    }
}
