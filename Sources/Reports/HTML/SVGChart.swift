import Foundation

/// Inline SVG charts: no script, no external request, colours from the page's CSS variables so
/// light and dark schemes both work. Each chart is labelled for assistive technology; its data
/// table sits beside it in the page.
enum SVGChart {
    struct Series {
        var name: String
        /// A CSS variable name such as `completed`.
        var color: String
        /// One value per label; nil is a gap (a night without data), never a zero.
        var values: [Double?]
    }

    static let width = 720.0
    static let height = 240.0
    static let left = 48.0
    static let right = 12.0
    static let top = 12.0
    static let bottom = 36.0

    /// Lines over labelled points (dates), broken where a value is missing.
    static func lines(_ series: [Series], labels: [String], id: String, title: String) -> String {
        let maximum = niceMaximum(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        var out = open(id: id, title: title) + grid(maximum: maximum, percent: false) + xLabels(labels)
        let step = labels.count > 1 ? (width - left - right) / Double(labels.count - 1) : 0
        for line in series {
            // One path per series; a dot only where a value stands alone between gaps (a line
            // needs two points). Dots at every point cost 7 KB a chart on 10,000 pages.
            var path = ""
            var dots = ""
            let values = line.values
            for (index, value) in values.enumerated() {
                guard let value else { continue }
                let x = left + Double(index) * step
                let y = yPosition(value, maximum: maximum)
                let joined = index > 0 && values[index - 1] != nil
                path += (joined ? "L" : "M") + "\(f1(x)) \(f1(y))"
                if !joined && (index + 1 == values.count || values[index + 1] == nil) {
                    dots += "<circle cx=\"\(f1(x))\" cy=\"\(f1(y))\" r=\"2.5\" style=\"fill:var(--\(line.color))\"/>"
                }
            }
            if !path.isEmpty {
                out += "<path d=\"\(path)\" fill=\"none\" stroke-width=\"2\" style=\"stroke:var(--\(line.color))\"/>" + dots
            }
        }
        return out + "</svg>" + legend(series)
    }

    /// Stacked columns, one per label.
    static func stacked(_ series: [Series], labels: [String], id: String, title: String) -> String {
        let totals = labels.indices.map { index in series.reduce(0.0) { $0 + ($1.values[index] ?? 0) } }
        let maximum = niceMaximum(totals.max() ?? 0)
        var out = open(id: id, title: title) + grid(maximum: maximum, percent: false) + xLabels(labels)
        let slot = (width - left - right) / Double(max(labels.count, 1))
        // One path per status, a closed rectangle per column: 5 elements, not 150.
        var paths = Array(repeating: "", count: series.count)
        for index in labels.indices {
            var base = 0.0
            for (position, column) in series.enumerated() {
                guard let value = column.values[index], value > 0 else { continue }
                let y0 = yPosition(base, maximum: maximum)
                let y1 = yPosition(base + value, maximum: maximum)
                paths[position] += "M\(f1(left + Double(index) * slot + slot * 0.15)) \(f1(y1))h\(f1(slot * 0.7))v\(f1(max(0, y0 - y1)))h-\(f1(slot * 0.7))z"
                base += value
            }
        }
        for (position, column) in series.enumerated() where !paths[position].isEmpty {
            out += "<path d=\"\(paths[position])\" style=\"fill:var(--\(column.color))\"/>"
        }
        return out + "</svg>" + legend(series)
    }

    /// Horizontal bars of fractions (0...1), labelled with their names and values.
    static func bars(_ items: [(label: String, value: Double)], id: String, title: String, color: String) -> String {
        let rowHeight = 22.0
        let labelWidth = 260.0
        let chartHeight = Double(items.count) * rowHeight + 8
        var out = "<svg viewBox=\"0 0 \(Int(width)) \(Int(chartHeight))\" role=\"img\" aria-labelledby=\"\(id)-title\">"
            + "<title id=\"\(id)-title\">\(HTML.escape(title))</title>"
        let span = width - labelWidth - 70
        for (index, item) in items.enumerated() {
            let y = Double(index) * rowHeight + 4
            let label = item.label.count > 38 ? String(item.label.prefix(37)) + "…" : item.label
            out += "<text x=\"\(f1(labelWidth - 8))\" y=\"\(f1(y + 14))\" text-anchor=\"end\">" + HTML.escape(label) + "</text>"
            out += rect(labelWidth, y + 3, max(1, span * min(1, item.value)), rowHeight - 8, color)
            out += "<text x=\"\(f1(labelWidth + max(1, span * min(1, item.value)) + 6))\" y=\"\(f1(y + 14))\">\(FixedPoint.format(item.value * 100, digits: 1)) %</text>"
        }
        return out + "</svg>"
    }

    private static func open(id: String, title: String) -> String {
        "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-title\">"
            + "<title id=\"\(id)-title\">\(HTML.escape(title))</title>"
    }

    private static func yPosition(_ value: Double, maximum: Double) -> Double {
        let plot = height - top - bottom
        return top + plot - (maximum > 0 ? value / maximum * plot : 0)
    }

    private static func grid(maximum: Double, percent: Bool) -> String {
        var out = ""
        for step in 0...4 {
            let value = maximum * Double(step) / 4
            let y = yPosition(value, maximum: maximum)
            out += "<line class=\"grid\" x1=\"\(f1(left))\" x2=\"\(f1(width - right))\" y1=\"\(f1(y))\" y2=\"\(f1(y))\"/>"
            let text = value >= 10 || value == 0 ? String(Int(value.rounded())) : f1(value)
            out += "<text x=\"\(f1(left - 6))\" y=\"\(f1(y + 4))\" text-anchor=\"end\">\(text)</text>"
        }
        return out
    }

    /// Every few labels along the bottom, so 30 dates do not overlap.
    private static func xLabels(_ labels: [String]) -> String {
        guard !labels.isEmpty else { return "" }
        let stride = max(1, Int((Double(labels.count) / 8).rounded(.up)))
        let step = labels.count > 1 ? (width - left - right) / Double(labels.count - 1) : 0
        var out = ""
        for index in Swift.stride(from: 0, to: labels.count, by: stride) {
            let x = left + Double(index) * step
            out += "<text x=\"\(f1(x))\" y=\"\(f1(height - bottom + 16))\" text-anchor=\"middle\">"
                + HTML.escape(String(labels[index].suffix(5))) + "</text>"
        }
        return out
    }

    private static func legend(_ series: [Series]) -> String {
        "<ul class=\"legend\">" + series.map {
            "<li><span class=\"swatch\" style=\"background:var(--\($0.color))\"></span>\(HTML.escape($0.name))</li>"
        }.joined() + "</ul>"
    }

    /// A round axis maximum above `value` (1, 2, 5 × 10^n).
    static func niceMaximum(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    /// A coordinate or value with one decimal (C formatting, not Foundation's: 10,000 pages of charts).
    static func f1(_ value: Double) -> String { FixedPoint.coordinate(value) }

    static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, _ color: String) -> String {
        "<rect x=\"\(f1(x))\" y=\"\(f1(y))\" width=\"\(f1(width))\" height=\"\(f1(height))\" style=\"fill:var(--\(color))\"/>"
    }
}
