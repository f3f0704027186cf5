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

    /// Records of text made of the awkward pieces (separators, quotes, every line break, a
    /// formula start, non-ASCII) read back, by a plain RFC 4180 reader, as the same cells: the
    /// neutralised ones with their leading `'`.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func recordsOfAwkwardTextReadBackAsTheirCells(seed: UInt64) throws {
        let pieces = [",", "\"", "\r", "\n", "\r\n", "=", "+", "é", "a", " ", "\t", "🙂"]
        var random = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let texts = (0..<3).map { _ in
                (0..<Int(random.next() % 6)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            }
            let record = writer.record(texts.map(Cell.text))
            let parsed = try #require(Self.readRecords(record).first)
            #expect(Self.readRecords(record).count == 1, "one record: \(record.debugDescription)")
            #expect(parsed == texts.map(CSVWriter.neutralise), "\(record.debugDescription)")
        }
    }

    /// RFC 4180 as a strict reader takes it: CRLF ends a record outside quotes, `""` is a quote inside.
    static func readRecords(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A {
                fields.append(String(decoding: field, as: UTF8.self))
                records.append(fields)
                (fields, field) = ([], [])
                index += 1
            } else {
                field.append(byte)
            }
            index += 1
        }
        return records
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
