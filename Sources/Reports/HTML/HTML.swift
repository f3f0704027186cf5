import FPModel
import Foundation

/// Escaping and the page shell shared by every HTML page. All API and config text goes through
/// ``HTML/escape(_:)``; nothing else is ever interpolated into markup.
enum HTML {
    static func escape(_ text: String) -> String {
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

    /// A complete page: `title` and `body` (already markup), with the inline style and script.
    static func page(title: String, body: String, footer: String) -> String {
        pageStart(title: title) + body + pageEnd(footer: footer)
    }

    /// A page up to its body, for pages written in pieces.
    static func pageStart(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>\(escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>

        """
    }

    /// A page after its body.
    static func pageEnd(footer: String) -> String {
        """

        <footer>\(footer)</footer>
        <script>\(script)</script>
        </body>
        </html>

        """
    }

    static func time(_ seconds: UnixSeconds, _ zone: TimeZone) -> String {
        let iso = ISO8601.format(Date(unixSeconds: seconds), in: zone)
        let shown = iso.replacingOccurrences(of: "T", with: " ")
        return "<time datetime=\"\(iso)\">\(escape(shown))</time>"
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "<span class=\"na\" title=\"nothing finished: no rate\">–</span>" }
        return String(format: "%.1f %%", value * 100)
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
        return String(format: "%.1f h", Double(seconds) / 3600)
    }

    /// A table with sortable headers (`data-sort` on cells holds the sort key; without script it reads as is).
    static func table(caption: String, headers: [(String, numeric: Bool)], rows: [[(display: String, sort: String)]], id: String) -> String {
        var out = tableStart(caption: caption, headers: headers, id: id)
        for row in rows { out += tableRow(row, headers: headers) }
        return out + tableEnd
    }

    /// A sortable table up to its first row, for tables written a row at a time.
    static func tableStart(caption: String, headers: [(String, numeric: Bool)], id: String) -> String {
        var out = "<div class=\"scroll\"><table class=\"sortable\" id=\"\(id)\"><caption>\(caption)</caption><thead><tr>"
        for (name, numeric) in headers {
            out += "<th scope=\"col\"\(numeric ? " class=\"num\"" : "")>\(escape(name))</th>"
        }
        return out + "</tr></thead><tbody>"
    }

    /// One row; the first cell is the row's header.
    static func tableRow(_ row: [(display: String, sort: String)], headers: [(String, numeric: Bool)]) -> String {
        var out = "<tr>"
        for (index, cell) in row.enumerated() {
            let numeric = headers.indices.contains(index) && headers[index].numeric
            let tag = index == 0 ? "th scope=\"row\"" : "td"
            let close = index == 0 ? "th" : "td"
            out += "<\(tag) data-sort=\"\(escape(cell.sort))\"\(numeric ? " class=\"num\"" : "")>\(cell.display)</\(close)>"
        }
        return out + "</tr>"
    }

    static let tableEnd = "</tbody></table></div>"

    static let style = """
        :root{--bg:#fff;--fg:#1b1f23;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa;--warn-bg:#fff4e5;--warn-fg:#7a4100;--link:#0550ae;\
        --pending:#999999;--in_progress:#0072B2;--completed:#009E73;--failed:#D55E00;--stopped:#E69F00}
        @media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--card:#161b22;\
        --warn-bg:#3d2a00;--warn-fg:#ffd8a8;--link:#79c0ff;--pending:#b0b0b0;--in_progress:#56B4E9}}
        *{box-sizing:border-box}
        body{margin:0 auto;max-width:1200px;padding:1rem 1.25rem 3rem;background:var(--bg);color:var(--fg);\
        font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        a{color:var(--link)}
        h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
        .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem}
        .provenance{color:var(--muted);font-size:.9rem}
        .warning{background:var(--warn-bg);color:var(--warn-fg);border-left:4px solid var(--failed);padding:.75rem 1rem;margin:1rem 0}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.75rem;padding:0;list-style:none}
        .cards li{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem}
        .cards .label{color:var(--muted);font-size:.85rem;display:block}.cards .value{font-size:1.5rem;font-weight:600}
        .change{font-size:.8rem;color:var(--muted);display:block}
        figure{margin:1rem 0;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem}
        figcaption{font-weight:600}figure svg{width:100%;height:auto;display:block}
        .chart-links{font-size:.85rem}
        svg text{fill:var(--fg);font-size:11px}svg .grid{stroke:var(--line)}svg .axis{stroke:var(--muted)}
        .legend{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0;margin:.25rem 0;font-size:.85rem}
        .swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px;border-radius:2px}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
        caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
        thead th{background:var(--card);position:sticky;top:0}
        .num{text-align:right;font-variant-numeric:tabular-nums}
        .na{color:var(--muted)}
        th button{font:inherit;color:inherit;background:none;border:0;padding:0;text-align:inherit;cursor:pointer}th button::after{content:" \\2195";color:var(--muted)}
        th[aria-sort=ascending] button::after{content:" \\2191"}th[aria-sort=descending] button::after{content:" \\2193"}
        details summary{cursor:pointer;color:var(--link)}
        footer{margin-top:3rem;color:var(--muted);font-size:.85rem}
        @media print{body{max-width:none;font-size:11pt}.skip,.chart-links,details,footer{display:none}\
        figure,table{break-inside:avoid}thead th{position:static}a{color:inherit;text-decoration:none}}
        """

    /// Sorting only enhances: the tables are complete and readable without it.
    static let script = """
        document.querySelectorAll("table.sortable").forEach(function(t){t.querySelectorAll("thead th").forEach(function(th,i){\
        var b=document.createElement("button");b.type="button";b.textContent=th.textContent;th.textContent="";th.appendChild(b);\
        b.addEventListener("click",function(){var asc=th.getAttribute("aria-sort")!=="ascending";\
        t.querySelectorAll("thead th").forEach(function(h){h.removeAttribute("aria-sort")});\
        th.setAttribute("aria-sort",asc?"ascending":"descending");var num=th.classList.contains("num");\
        var rows=Array.prototype.slice.call(t.tBodies[0].rows);rows.sort(function(a,c){var x=a.cells[i].dataset.sort,y=c.cells[i].dataset.sort;\
        if(num){x=x===""?-Infinity:parseFloat(x);y=y===""?-Infinity:parseFloat(y);return asc?x-y:y-x}\
        return asc?x.localeCompare(y):y.localeCompare(x)});rows.forEach(function(r){t.tBodies[0].appendChild(r)})})})});
        """
}
