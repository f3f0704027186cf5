import Foundation

/// Inline SVG charts: no script, no external request, colours from the page's CSS variables so
/// light and dark schemes both work. Each chart is labelled for assistive technology; its data
/// table sits beside it in the page.
enum SVGChart {
    struct Series {
        var name: String
        /// A status whose colour the series takes (`completed`: the stylesheet's class `c-completed`).
        var color: String
        /// One value per label; nil is a gap (a night without data), never a zero.
        var values: [Double?]

        init(name: String, color: String, values: [Double?]) {
            self.name = name
            self.color = color
            self.values = values
        }

        /// The column named `column` of a chart's table: the chart draws exactly the data its CSV
        /// link and data table give, found by name.
        init(_ table: Table, column: String, color: String? = nil) {
            self.init(name: column, color: color ?? column, values: SVGChart.cells(table, column).map { cell in
                switch cell {
                case .integer(let value): Double(value)
                case .decimal(let value), .fraction(let value): value
                default: nil
                }
            })
        }
    }

    /// The texts of `table`'s column `column` (a chart's labels).
    static func labels(_ table: Table, column: String) -> [String] {
        cells(table, column).map { cell in
            switch cell {
            case .text(let text), .date(let text): text
            default: ""
            }
        }
    }

    /// A chart's column by name; a chart naming a column its table lacks is a mistake in this
    /// module, caught by the tests (the release build draws it empty rather than stopping the night).
    private static func cells(_ table: Table, _ column: String) -> [Cell] {
        let cells = table.cells(of: column)
        assert(cells != nil, "no column \(column) in \(table.name)")
        return cells ?? Array(repeating: .empty, count: table.rows.count)
    }

    static let width = 720
    static let height = 240
    static let bottom = 36
    static let plotLeft = 48
    static let plotRight = 708
    static let plotTop = 12
    static var plotBottom: Int { height - bottom }

    /// Lines over labelled points (dates), broken where a value is missing.
    ///
    /// Whole pixels and relative steps (`h22`, `l23-10`): a 720-pixel chart needs no tenths, and
    /// 10,000 account pages carry one each, so every byte of a path counts ten thousand times.
    static func lines(_ series: [Series], labels: [String], id: String, title: String) -> String {
        let maximum = niceMaximum(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        var out = open(id: id, title: title) + grid(maximum: maximum) + xLabels(labels)
        for line in series {
            // One path per series; a dot only where a value stands alone between gaps (a line
            // needs two points). Level steps in a row are one `h`: a quiet account's flat line
            // at zero is `M48 204h660`, not thirty steps.
            var path = ""
            var dots = ""
            var last = (x: 0, y: 0)
            var level = 0
            func flushLevel() {
                if level > 0 { path += "h\(level)" }
                level = 0
            }
            let values = line.values
            for (index, value) in values.enumerated() {
                guard let value else { continue }
                let point = (x: xPosition(index, of: labels.count), y: yPosition(value, maximum: maximum))
                if index > 0 && values[index - 1] != nil {
                    let (dx, dy) = (point.x - last.x, point.y - last.y)
                    if dy == 0 {
                        level += dx
                    } else {
                        flushLevel()
                        path += "l\(dx)\(dy < 0 ? "" : " ")\(dy)"
                    }
                } else {
                    flushLevel()
                    path += "M\(point.x) \(point.y)"
                    if index + 1 == values.count || values[index + 1] == nil {
                        dots += "<circle cx=\"\(point.x)\" cy=\"\(point.y)\" r=\"3\" class=\"fill c-\(line.color)\"/>"
                    }
                }
                last = point
            }
            flushLevel()
            if !path.isEmpty {
                out += "<path d=\"\(path)\" class=\"line c-\(line.color)\"/>" + dots
            }
        }
        return out + "</svg>" + legend(series)
    }

    /// Stacked columns, one per label.
    static func stacked(_ series: [Series], labels: [String], id: String, title: String) -> String {
        let totals = labels.indices.map { index in series.reduce(0.0) { $0 + ($1.values[index] ?? 0) } }
        let maximum = niceMaximum(totals.max() ?? 0)
        var out = open(id: id, title: title) + grid(maximum: maximum) + xLabels(labels)
        let slot = Double(plotRight - plotLeft) / Double(max(labels.count, 1))
        let barWidth = max(1, Int((slot * 0.7).rounded()))
        // One path per status, a closed rectangle per column: 5 elements, not 150.
        var paths = Array(repeating: "", count: series.count)
        for index in labels.indices {
            var base = 0.0
            let x = plotLeft + Int((Double(index) * slot + slot * 0.15).rounded())
            for (position, column) in series.enumerated() {
                guard let value = column.values[index], value > 0 else { continue }
                let y0 = yPosition(base, maximum: maximum)
                let y1 = yPosition(base + value, maximum: maximum)
                paths[position] += "M\(x) \(y1)h\(barWidth)v\(max(0, y0 - y1))h-\(barWidth)z"
                base += value
            }
        }
        for (position, column) in series.enumerated() where !paths[position].isEmpty {
            out += "<path d=\"\(paths[position])\" class=\"fill c-\(column.color)\"/>"
        }
        return out + "</svg>" + legend(series)
    }

    /// Horizontal bars of fractions (0...1), labelled with their names and values.
    static func bars(_ items: [(label: String, value: Double)], id: String, title: String, color: String) -> String {
        let rowHeight = 22
        let labelWidth = 260
        let chartHeight = items.count * rowHeight + 8
        var out = "<svg viewBox=\"0 0 \(width) \(chartHeight)\" role=\"img\" aria-labelledby=\"\(id)-title\">"
            + "<title id=\"\(id)-title\">\(HTML.escape(title))</title>"
        let span = Double(width - labelWidth - 70)
        for (index, item) in items.enumerated() {
            let y = index * rowHeight + 4
            let label = item.label.count > 38 ? String(item.label.prefix(37)) + "…" : item.label
            let length = max(1, Int((span * min(1, item.value)).rounded()))
            out += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 14)\" text-anchor=\"end\">" + HTML.escape(label) + "</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"\(rowHeight - 8)\" class=\"fill c-\(color)\"/>"
            out += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 14)\">\(FixedPoint.format(item.value * 100, digits: 1)) %</text>"
        }
        return out + "</svg>"
    }

    private static func open(id: String, title: String) -> String {
        "<svg viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(id)-title\">"
            + "<title id=\"\(id)-title\">\(HTML.escape(title))</title>"
    }

    private static func xPosition(_ index: Int, of count: Int) -> Int {
        count > 1 ? plotLeft + Int((Double(index * (plotRight - plotLeft)) / Double(count - 1)).rounded()) : plotLeft
    }

    private static func yPosition(_ value: Double, maximum: Double) -> Int {
        let plot = Double(plotBottom - plotTop)
        return plotBottom - (maximum > 0 ? Int((value / maximum * plot).rounded()) : 0)
    }

    /// Three lines (zero, half, the maximum) as one path, labelled at the left.
    private static func grid(maximum: Double) -> String {
        var path = ""
        var labels = ""
        for step in 0...2 {
            let value = maximum * Double(step) / 2
            let y = yPosition(value, maximum: maximum)
            path += "M\(plotLeft) \(y)H\(plotRight)"
            let text = value >= 10 || value == value.rounded() ? String(Int(value.rounded())) : FixedPoint.format(value, digits: 1)
            labels += "<text x=\"\(plotLeft - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(text)</text>"
        }
        return "<path class=\"grid\" d=\"\(path)\"/>" + labels
    }

    /// Five dates along the bottom at most (first, last and evenly between), so 30 do not overlap.
    private static func xLabels(_ labels: [String]) -> String {
        guard !labels.isEmpty else { return "" }
        let stride = max(1, Int((Double(labels.count - 1) / 4).rounded(.up)))
        var positions = Array(Swift.stride(from: 0, to: labels.count, by: stride))
        if positions.last != labels.count - 1 {
            // The last date always shows: it is the report's own day.
            if let last = positions.last, labels.count - 1 - last < stride / 2 { positions.removeLast() }
            positions.append(labels.count - 1)
        }
        var out = ""
        for index in positions {
            // The ends align inwards so that neither date runs off the chart.
            let anchor = index == 0 ? "start" : (index == labels.count - 1 ? "end" : "middle")
            out += "<text x=\"\(xPosition(index, of: labels.count))\" y=\"\(height - bottom + 16)\" text-anchor=\"\(anchor)\">"
                + HTML.escape(String(labels[index].suffix(5))) + "</text>"
        }
        return out
    }

    private static func legend(_ series: [Series]) -> String {
        "<ul class=\"legend\">" + series.map {
            "<li class=\"c-\($0.color)\">\(HTML.escape($0.name))</li>"
        }.joined() + "</ul>"
    }

    /// A round axis maximum above `value` (1, 2, 5 × 10^n).
    static func niceMaximum(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }
}
