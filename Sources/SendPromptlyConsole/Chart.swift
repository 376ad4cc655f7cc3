import SendPromptlyCore

/// Small charts drawn by the server as inline SVG: no script, no external files. Each has a
/// `role="img"` and a text summary for screen readers; every text in it is escaped here.
enum Chart {
    static let width = 360.0
    static let height = 120.0
    private static let left = 34.0
    private static let right = 6.0
    private static let top = 8.0
    private static let bottom = 18.0

    /// A bar per value (nil: no bar), on a scale from zero to the largest value (at least
    /// `minimumScale`).
    static func bars(_ values: [Double?], label: String, summary: String, unit: String, minimumScale: Double = 1) -> String {
        let scale = max(values.compactMap { $0 }.max() ?? 0, minimumScale)
        let slot = (width - left - right) / Double(max(values.count, 1))
        var shapes = ""
        for (index, value) in values.enumerated() {
            guard let value, value > 0 else { continue }
            let barHeight = (height - top - bottom) * value / scale
            shapes += "<rect x=\"\(number(left + Double(index) * slot + slot * 0.1))\" y=\"\(number(height - bottom - barHeight))\" "
                + "width=\"\(number(slot * 0.8))\" height=\"\(number(barHeight))\" fill=\"#1f5fbf\"/>"
        }
        return frame(label: label, summary: summary, maximum: scale, unit: unit, count: values.count, shapes: shapes)
    }

    /// One line per series (`name`, colour, values); a nil value breaks its line.
    static func lines(
        _ series: [(name: String, color: String, values: [Double?])], label: String, summary: String, unit: String,
        minimumScale: Double = 1
    ) -> String {
        let scale = max(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0, minimumScale)
        let count = series.map(\.values.count).max() ?? 0
        let step = (width - left - right) / Double(max(count - 1, 1))
        var shapes = ""
        for (seriesIndex, line) in series.enumerated() {
            var segment: [String] = []
            func flush() {
                if segment.count == 1 {
                    let point = segment[0].split(separator: ",")
                    shapes += "<circle cx=\"\(point[0])\" cy=\"\(point[1])\" r=\"2\" fill=\"\(line.color)\"/>"
                } else if segment.count > 1 {
                    shapes += "<polyline points=\"\(segment.joined(separator: " "))\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"/>"
                }
                segment = []
            }
            for (index, value) in line.values.enumerated() {
                guard let value else {
                    flush()
                    continue
                }
                let y = height - bottom - (height - top - bottom) * value / scale
                segment.append("\(number(left + Double(index) * step)),\(number(y))")
            }
            flush()
            shapes += "<text x=\"\(number(left + 4 + Double(seriesIndex) * 60))\" y=\"\(number(top + 10))\" font-size=\"10\" fill=\"\(line.color)\">\(HTMLText.escape(line.name))</text>"
        }
        return frame(label: label, summary: summary, maximum: scale, unit: unit, count: count, shapes: shapes)
    }

    /// The axes, the scale's labels, the time labels (an hour ago, now) and `shapes`.
    private static func frame(label: String, summary: String, maximum: Double, unit: String, count: Int, shapes: String) -> String {
        let base = height - bottom
        return "<figure class=\"chart\"><figcaption>\(HTMLText.escape(label))</figcaption>"
            + "<svg viewBox=\"0 0 \(number(width)) \(number(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(label)): \(HTMLText.escape(summary))\">"
            + "<title>\(HTMLText.escape(label)): \(HTMLText.escape(summary))</title>"
            + "<line x1=\"\(number(left))\" y1=\"\(number(top))\" x2=\"\(number(left))\" y2=\"\(number(base))\" stroke=\"#8d96a7\"/>"
            + "<line x1=\"\(number(left))\" y1=\"\(number(base))\" x2=\"\(number(width - right))\" y2=\"\(number(base))\" stroke=\"#8d96a7\"/>"
            + "<text x=\"\(number(left - 4))\" y=\"\(number(top + 8))\" font-size=\"10\" text-anchor=\"end\" fill=\"#566074\">\(HTMLText.escape(axisLabel(maximum) + unit))</text>"
            + "<text x=\"\(number(left - 4))\" y=\"\(number(base))\" font-size=\"10\" text-anchor=\"end\" fill=\"#566074\">0</text>"
            + "<text x=\"\(number(left))\" y=\"\(number(height - 4))\" font-size=\"10\" fill=\"#566074\">\(count) min ago</text>"
            + "<text x=\"\(number(width - right))\" y=\"\(number(height - 4))\" font-size=\"10\" text-anchor=\"end\" fill=\"#566074\">now</text>"
            + shapes + "</svg></figure>"
    }

    private static func axisLabel(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : ConsoleFormat.oneDecimal(value)
    }

    /// Coordinates with one decimal: short SVG, no locale.
    private static func number(_ value: Double) -> String {
        ConsoleFormat.oneDecimal(value)
    }
}
