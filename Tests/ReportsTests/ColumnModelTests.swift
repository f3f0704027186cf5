import BatchMetrics
import FPModel
import Foundation
import FPTestSupport
import Testing

@testable import Reports

/// One column model for every format (SPEC section 5): each table's columns are declared once,
/// each cell is of its column's declared kind, and the workbook and pages show the declared words.
@Suite struct ColumnModelTests {
    func tables(_ data: ReportData) -> [Table] {
        ReportTables.all(data) + [
            ReportTables.throughputChart(data), ReportTables.statusMixChart(data), ReportTables.worstAccountsChart(data),
        ]
    }

    @Test func everyCellIsOfItsColumnsDeclaredKind() async throws {
        let data = try await ReportFixture.data(try await ReportFixture.history())
        for table in tables(data) {
            #expect(Set(table.columns.map(\.name)).count == table.columns.count, "\(table.name): a column declared twice")
            #expect(!table.rows.isEmpty, "\(table.name) has rows to check")
            for column in table.columns {
                #expect(!column.label.isEmpty && !column.label.contains("_"), "\(table.name).\(column.name): \(column.label)")
            }
            for row in table.rows {
                #expect(row.count == table.columns.count, "\(table.name)")
                for (column, cell) in zip(table.columns, row) {
                    #expect(Self.fits(cell, column.format), "\(table.name).\(column.name) declared \(column.format) holds \(cell)")
                }
            }
        }
    }

    static func fits(_ cell: Cell, _ format: Column.Format) -> Bool {
        switch (format, cell) {
        case (_, .empty), (.mixed, _): true
        case (.text, .text), (.identifier, .text), (.integer, .integer), (.percent, .fraction), (.decimal, .decimal),
             (.timestamp, .timestamp), (.date, .date): true
        default: false
        }
    }

    @Test func theWorkbookHeadsEachSheetWithTheDeclaredWords() async throws {
        let data = try await ReportFixture.data(try await ReportFixture.history())
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try WorkbookReport(data: data).write(to: folder.url.appendingPathComponent("report.xlsx"))
        let cells = Set(try ReportOutputTests().cellValues(folder.path("report.xlsx")))
        let zone = data.timeZone.reportName
        // Sheets 2 to 6 hold accounts, statuses, daily, batches and collection, headers in row 1.
        for (sheet, table) in zip(2..., ReportTables.all(data).dropFirst()) {
            for (index, column) in table.columns.enumerated() {
                let words = [.timestamp, .date].contains(column.format) ? "\(column.label) (\(zone))" : column.label
                #expect(cells.contains("sheet\(sheet).xml!\(Self.letters(index))1=\(words)"), "\(table.name).\(column.name)")
            }
        }
        #expect(cells.contains("sheet2.xml!K1=Completed in window"))
        #expect(cells.contains("sheet2.xml!Q1=Time to terminal p50 (h)"))
    }

    @Test func theSummaryOpensWithTheHeadlineInWords() async throws {
        let data = try await ReportFixture.data(try await ReportFixture.history())
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try WorkbookReport(data: data).write(to: folder.url.appendingPathComponent("report.xlsx"))
        let cells = try ReportOutputTests().cellValues(folder.path("report.xlsx")).filter { $0.hasPrefix("sheet1.xml!A") }
        let column = cells.map { String($0.split(separator: "=", maxSplits: 1).last ?? "") }
        let headline = try #require(column.firstIndex(of: "Headline"))
        let definitions = try #require(column.firstIndex(of: "Every figure, with its definition"))
        #expect(headline < 4, "the headline comes right after the title and notes")
        #expect(Array(column[(headline + 1)...].prefix(WorkbookReport.headline.count)) == WorkbookReport.headline.map(ColumnLabel.label))
        #expect(Array(column[(headline + 1)...].prefix(3)) == ["Completed", "Failed", "Stopped"])
        #expect(definitions > headline + WorkbookReport.headline.count)
    }

    @Test func aChartDrawsTheColumnsItNames() async throws {
        let data = try await ReportFixture.data(try await ReportFixture.history())
        var table = ReportTables.throughputChart(data)
        let failed = try #require(table.index(of: "failed"))
        #expect(SVGChart.Series(table, column: "failed").values == table.rows.map { row in
            if case .integer(let value) = row[failed] { Double(value) } else { nil }
        })
        // Columns are found by name: reordering the table does not change what a chart draws.
        let before = SVGChart.Series(table, column: "stopped").values
        table = Table(name: table.name, columns: table.columns.reversed(), rows: table.rows.map { $0.reversed() })
        #expect(SVGChart.Series(table, column: "stopped").values == before)
        #expect(SVGChart.labels(table, column: "date").first == data.trends.fleet.first?.date)
    }

    /// A, B, … Z, AA, … for a zero-based column.
    static func letters(_ index: Int) -> String {
        var index = index
        var out = ""
        repeat {
            out = String(UnicodeScalar(UInt8(65 + index % 26))) + out
            index = index / 26 - 1
        } while index >= 0
        return out
    }
}
