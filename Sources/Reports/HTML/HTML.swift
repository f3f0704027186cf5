import FPModel
import Foundation

/// Escaping and the page shell shared by every HTML page. All API and config text goes through
/// ``HTML/escape(_:)``; nothing else is ever interpolated into markup.
enum HTML {
    static func escape(_ text: String) -> String {
        // Most text (ids, statuses, names) has nothing to escape: checked on the bytes, it is
        // returned as it is, with no new string.
        guard text.utf8.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether a byte starts something ``escape(_:)`` replaces: markup, a quote, or a control
    /// character other than tab, line feed and carriage return. Bytes of multi-byte characters are
    /// 0x80 and above: never.
    private static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F: true
        default: false
        }
    }

    /// A complete page of a night's report: `title` and `body` (already markup), linking the
    /// night's shared stylesheet and script through `root` (the way back to the night folder).
    static func page(title: String, body: String, footer: String, root: String) -> String {
        pageStart(title: title, root: root) + body + pageEnd(footer: footer)
    }

    /// A page up to its body, for pages written in pieces. `scripts` are further scripts of the
    /// night's `assets/` folder that the page needs before the shared one.
    static func pageStart(title: String, root: String, scripts: [String] = []) -> String {
        let extra = scripts.map { "<script src=\"\(root)assets/\($0)\" defer></script>\n" }.joined()
        return head(title: title, styling: """
            <link rel="stylesheet" href="\(root)assets/\(Assets.stylesheet)">
            \(extra)<script src="\(root)assets/\(Assets.script)" defer></script>
            """)
    }

    /// A page after its body.
    static func pageEnd(footer: String) -> String {
        """

        <footer>\(footer)</footer>
        </body>
        </html>

        """
    }

    /// A page outside any night's folder (the archive), with its style inline.
    static func standalonePage(title: String, body: String, footer: String) -> String {
        head(title: title, styling: "<style>\(Assets.style)</style>") + body + pageEnd(footer: footer)
    }

    /// The document up to the start of its body, with `styling` (stylesheet and scripts) in its head.
    private static func head(title: String, styling: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>\(escape(title))</title>
        \(styling)
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>

        """
    }

    static func time(_ seconds: UnixSeconds, _ zone: TimeZone) -> String {
        let iso = ISO8601.format(Date(unixSeconds: seconds), in: zone)
        let shown = ISO8601.format(Date(unixSeconds: seconds), in: zone, separator: " ")
        return "<time datetime=\"\(iso)\">\(escape(shown))</time>"
    }

    /// The same time as plain text, for table cells: a `<time>` element per cell is 40 bytes more,
    /// on thousands of rows a night, and the text already carries its offset.
    static func timeText(_ seconds: UnixSeconds, _ zone: TimeZone) -> String {
        // Formatted with the space at once: Foundation's replacingOccurrences was 4 % of a night's report.
        ISO8601.format(Date(unixSeconds: seconds), in: zone, separator: " ")
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "<span class=\"na\" title=\"nothing finished: no rate\">–</span>" }
        return percentText(value)
    }

    /// `12.5 %`, as text.
    static func percentText(_ value: Double) -> String { FixedPoint.format(value * 100, digits: 1) + " %" }

    /// A `data:` URL holding `text` as CSV, so a page links a chart's data without a file of its own.
    static func csvDataURL(_ text: String) -> String {
        // Built as bytes: 10,000 account pages carry one each, and a String grown a scalar and a
        // "%XX" at a time was a tenth of a page's cost.
        let hex = Array("0123456789ABCDEF".utf8)
        var out = Array("data:text/csv;charset=utf-8,".utf8)
        out.reserveCapacity(out.count + text.utf8.count * 2)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ","), UInt8(ascii: ":"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `12,345`: thousands grouped with commas (NumberFormatter costs microseconds a call).
    static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    static func hours(_ seconds: Int64?) -> String {
        guard let seconds else { return "<span class=\"na\">–</span>" }
        return FixedPoint.format(Double(seconds) / 3600, digits: 1) + " h"
    }

    /// A table with sortable headers; without script it reads as it is. The script sorts by each
    /// cell's text (numbers without their separators and units, times by their value), so no cell
    /// carries a sort key of its own.
    static func table(caption: String, headers: [(String, numeric: Bool)], rows: [[String]], id: String) -> String {
        var out = tableStart(caption: caption, headers: headers, id: id)
        for row in rows { out += tableRow(row, headers: headers) }
        return out + tableEnd
    }

    /// A sortable table up to its first row, for tables written a row at a time. Numeric columns
    /// are named once on the table (`r4`: the fourth column aligns right, see the stylesheet), not
    /// on each cell: a class per cell was a third of the accounts index's bytes. Header cells in
    /// `thead` are column headers without saying so.
    static func tableStart(caption: String, headers: [(String, numeric: Bool)], id: String) -> String {
        let aligned = headers.indices.filter { headers[$0].numeric && $0 + 1 <= Assets.alignedColumns }.map { " r\($0 + 1)" }.joined()
        var out = "<div class=\"scroll\"><table class=\"sortable\(aligned)\" id=\"\(id)\"><caption>\(caption)</caption><thead><tr>"
        for (name, numeric) in headers {
            out += "<th\(numeric ? " class=\"num\"" : "")>\(escape(name))</th>"
        }
        return out + "</tr></thead><tbody>"
    }

    /// One row; the first cell is the row's header. Cells and rows are not closed: HTML ends them
    /// at the next one (their end tags are optional), which keeps long tables a fifth smaller.
    static func tableRow(_ row: [String], headers: [(String, numeric: Bool)]) -> String {
        var out = "<tr>"
        for (index, cell) in row.enumerated() {
            let numeric = index >= Assets.alignedColumns && headers.indices.contains(index) && headers[index].numeric
            let tag = index == 0 ? "th scope=\"row\"" : "td"
            out += "<\(tag)\(numeric ? " class=\"num\"" : "")>\(cell)"
        }
        return out
    }

    static let tableEnd = "</tbody></table></div>"
}
