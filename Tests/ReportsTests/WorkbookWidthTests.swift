import BatchMetrics
import Foundation
import FPTestSupport
import Testing

@testable import Reports

/// Column widths come from the longest value of a table's first rows, measured without making
/// strings: they must be the lengths a person sees.
@Suite struct WorkbookWidthTests {
    @Test(arguments: [0, 7, 9, 10, 99, 100, 12_345, -1, -9, -10, -12_345, Int.max, Int.min])
    func aNumberIsAsWideAsItsDigits(value: Int) {
        #expect(WorkbookReport.digits(value) == String(value).count)
    }

    @Test func textIsAsWideAsItsCharactersWhateverItsBytes() async throws {
        let data = try await ReportFixture.data(try await ReportFixture.history())
        // Header words are short; values of 20 characters decide the width (plus 2 for padding).
        let names = ["Ærøskøbing Partnerå ", "acc-00042-abcdefghij", "👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻"]
        for name in names {
            #expect(name.count == 20)
            let table = Table(name: "t", columns: [Column("name", .text, label: "Name")], rows: [[.text(name)], [.integer(-12_345)]])
            #expect(WorkbookReport(data: data).widths(table, measuring: Array(table.rows)) == [22], "\(name)")
        }
    }
}
