import FPModel
import Foundation
import Testing

@testable import Reports

@Suite struct CSVWriterTests {
    let writer = CSVWriter(timeZone: TimeZone(identifier: "Europe/Berlin")!)

    @Test func rfc4180WithCRLFAndQuotingOnlyWhereNeeded() {
        let table = Table(name: "t", columns: [
            Column("id", .identifier), Column("name", .text), Column("rate", .percent), Column("at", .timestamp), Column("n", .integer),
        ], rows: [
            [.text("42"), .text("Acme, \"Inc\""), .fraction(0.125), .timestamp(1_793_491_200), .integer(7)],
            [.text("43"), .text("line\nbreak"), .empty, .empty, .integer(-3)],
        ])
        let expected = "id,name,rate,at,n\r\n"
            + "42,\"Acme, \"\"Inc\"\"\",0.125,2026-11-01T01:00:00+01:00,7\r\n"
            + "43,\"line\nbreak\",,,-3\r\n"
        #expect(writer.render(table) == expected)
    }

    /// "\r\n" is a single Character in Swift, equal to neither "\r" nor "\n": a check by
    /// Character let it through unquoted, and the record split in two.
    @Test(arguments: ["two\r\nlines", "cr\ronly", "lf\nonly", "comma,", "quote\""])
    func textWithALineBreakOrSeparatorIsQuoted(text: String) {
        let record = writer.record([.text("a"), .text(text), .integer(1)])
        #expect(record == "a,\"\(text.replacingOccurrences(of: "\"", with: "\"\""))\",1\r\n")
    }

    @Test(arguments: [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
        ("plain", "plain"), ("a=b", "a=b"),
    ])
    func formulaLikeTextIsNeutralised(input: String, expected: String) {
        #expect(CSVWriter.neutralise(input) == expected)
    }

    @Test func numbersStayNumbers() {
        #expect(writer.render(.integer(-5)) == "-5")
        #expect(writer.render(.fraction(1.0 / 3.0)) == "0.3333")
        #expect(writer.render(.fraction(1)) == "1")
        #expect(writer.render(.fraction(0)) == "0")
        #expect(writer.render(.fraction(.nan)) == "")
    }

    @Test func byteOrderMarkIsAnOption() {
        let table = Table(name: "t", columns: [Column("a", .text)])
        #expect(CSVWriter(timeZone: .gmt).render(table) == "a\r\n")
        #expect(CSVWriter(timeZone: .gmt, byteOrderMark: true).render(table) == "\u{FEFF}a\r\n")
    }

    @Test func fixedPointFormatsAsCDoesAndCoordinatesRoundToATenth() {
        #expect(FixedPoint.format(0.12345678, digits: 4) == "0.1235")
        #expect(FixedPoint.format(-2.5, digits: 1) == "-2.5")
        #expect(FixedPoint.format(1e20, digits: 2) == "100000000000000000000.00")
        #expect(writer.render(.decimal(1234567.125)) == "1234567.125")
        #expect(writer.render(.decimal(-0.00001)) == "0")
    }
}
