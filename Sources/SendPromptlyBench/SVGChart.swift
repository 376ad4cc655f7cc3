import Foundation

/// The run's chart as a self-contained SVG file (no script, no fonts or styles from outside):
/// on the left, latency by percentile per endpoint on a logarithmic percentile axis (90 %,
/// 99 %, 99.9 % ... equally spaced, as HdrHistogram plots do); on the right, requests completed
/// per second over the run.
///
/// Written by hand because no listed package draws charts; every text in it is a fixed label
/// or a number, so nothing needs escaping.
public enum SVGChart {
    static let panelWidth = 460.0
    static let panelHeight = 300.0
    static let margin = (left: 64.0, right: 16.0, top: 40.0, bottom: 44.0)
    static let colors: [Endpoint: String] = [.receipt: "#1f5fbf", .result: "#d9661f"]

    public static func render(_ report: BenchReport) -> String {
        let width = panelWidth * 2 + 20
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(format(width))" height="\(format(panelHeight))" \
            viewBox="0 0 \(format(width)) \(format(panelHeight))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="#ffffff"/>

            """
        svg += latencyPanel(report)
        svg += "<g transform=\"translate(\(format(panelWidth + 20)),0)\">\n" + throughputPanel(report) + "</g>\n"
        return svg + "</svg>\n"
    }

    /// "Nines" of a percentile: 90 % is 1, 99 % is 2, 99.9 % is 3.
    static func nines(_ percentile: Double) -> Double {
        percentile >= 100 ? .infinity : -log10(1 - percentile / 100)
    }

    private static func latencyPanel(_ report: BenchReport) -> String {
        let curves = Endpoint.allCases.compactMap { endpoint -> (Endpoint, [[Double]])? in
            guard let curve = report.endpoints[endpoint.rawValue]?.latency.curve, !curve.isEmpty else { return nil }
            return (endpoint, curve)
        }
        // The last point of a curve is the maximum (100 %): drawn half a nine past the last one.
        let finiteNines = curves.flatMap { $0.1.map { nines($0[0]) } }.filter(\.isFinite)
        let rightEdge = max(3, ((finiteNines.max() ?? 0) + 0.5).rounded(.up))
        let top = niceCeiling(curves.flatMap { $0.1.map { $0[1] } }.max() ?? 1)
        let plot = Plot(xRange: 0...rightEdge, yRange: 0...top)
        var svg = title("Latency by percentile (ms)", subtitle: report.configuration.mode == "fixed-rate"
            ? "from the intended send time (coordinated omission corrected)" : "closed loop, from the send time")
        svg += plot.axes(
            xTicks: (0...Int(rightEdge)).map { (Double($0), percentileLabel(nines: $0)) },
            yTicks: ticks(upTo: top).map { ($0, format($0)) })
        for (index, (endpoint, curve)) in curves.enumerated() {
            let points = curve.map { point -> String in
                let x = nines(point[0]).isFinite ? nines(point[0]) : (finiteNines.max() ?? 0) + 0.5
                return plot.point(x: min(x, rightEdge), y: point[1])
            }
            svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(colors[endpoint]!)\" stroke-width=\"2\"/>\n"
            svg += legend(endpoint.rawValue, color: colors[endpoint]!, row: index)
        }
        return svg
    }

    private static func throughputPanel(_ report: BenchReport) -> String {
        // Whole seconds only: the last, partial second would read as a drop.
        let whole = Int(report.elapsedSeconds)
        let series = Array(report.throughputOverTime.prefix(max(whole, 1)))
        let top = niceCeiling(Double(series.max() ?? 1))
        let plot = Plot(xRange: 0...Double(max(series.count, 1)), yRange: 0...top)
        var svg = title("Throughput (requests/s)", subtitle: "\(Int(report.throughputPerSecond.rounded())) requests/s over \(String(format: "%.1f", report.elapsedSeconds)) s")
        let step = max(1, Int((Double(series.count) / 6).rounded(.up)))
        svg += plot.axes(
            xTicks: stride(from: 0, through: series.count, by: step).map { (Double($0), "\($0) s") },
            yTicks: ticks(upTo: top).map { ($0, format($0)) })
        // Each second's count drawn at the end of its second.
        let points = [plot.point(x: 0, y: 0)] + series.enumerated().map { plot.point(x: Double($0.offset + 1), y: Double($0.element)) }
        svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#2b8a3e\" stroke-width=\"2\"/>\n"
        return svg
    }

    /// Maps data to one panel's pixels.
    private struct Plot {
        let xRange: ClosedRange<Double>
        let yRange: ClosedRange<Double>
        var left: Double { margin.left }
        var right: Double { panelWidth - margin.right }
        var top: Double { margin.top }
        var bottom: Double { panelHeight - margin.bottom }

        func x(_ value: Double) -> Double {
            left + (right - left) * (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound)
        }

        func y(_ value: Double) -> Double {
            bottom - (bottom - top) * (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)
        }

        func point(x value: Double, y other: Double) -> String { "\(format(x(value))),\(format(y(other)))" }

        func axes(xTicks: [(Double, String)], yTicks: [(Double, String)]) -> String {
            var svg = "<g stroke=\"#dddddd\">\n"
            for (value, _) in yTicks { svg += "<line x1=\"\(format(left))\" x2=\"\(format(right))\" y1=\"\(format(y(value)))\" y2=\"\(format(y(value)))\"/>\n" }
            for (value, _) in xTicks { svg += "<line x1=\"\(format(x(value)))\" x2=\"\(format(x(value)))\" y1=\"\(format(top))\" y2=\"\(format(bottom))\"/>\n" }
            svg += "</g>\n<g fill=\"#333333\">\n"
            for (value, label) in yTicks {
                svg += "<text x=\"\(format(left - 6))\" y=\"\(format(y(value) + 4))\" text-anchor=\"end\">\(label)</text>\n"
            }
            for (value, label) in xTicks {
                svg += "<text x=\"\(format(x(value)))\" y=\"\(format(bottom + 16))\" text-anchor=\"middle\">\(label)</text>\n"
            }
            svg += "</g>\n<rect x=\"\(format(left))\" y=\"\(format(top))\" width=\"\(format(right - left))\" "
                + "height=\"\(format(bottom - top))\" fill=\"none\" stroke=\"#888888\"/>\n"
            return svg
        }
    }

    private static func title(_ text: String, subtitle: String) -> String {
        "<text x=\"\(format(margin.left))\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(text)</text>\n"
            + "<text x=\"\(format(margin.left))\" y=\"30\" fill=\"#555555\">\(subtitle)</text>\n"
    }

    private static func legend(_ name: String, color: String, row: Int) -> String {
        let y = margin.top + 14 + Double(row) * 16
        return "<line x1=\"\(format(margin.left + 10))\" x2=\"\(format(margin.left + 30))\" y1=\"\(format(y - 4))\" y2=\"\(format(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            + "<text x=\"\(format(margin.left + 36))\" y=\"\(format(y))\">\(name)</text>\n"
    }

    static func percentileLabel(nines: Int) -> String {
        switch nines {
        case 0: "0%"
        case 1: "90%"
        case 2: "99%"
        default: "99." + String(repeating: "9", count: nines - 2) + "%"
        }
    }

    /// The smallest 1, 2 or 5 times a power of ten at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= value } ?? 10 * power
    }

    private static func ticks(upTo top: Double) -> [Double] {
        (0...5).map { top * Double($0) / 5 }
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(format: "%.2f", value)
    }
}
