import Foundation

/// The table `sendpromptly bench` prints at the end: throughput and latency per endpoint,
/// answers by status, CPU used, and the verification's counts.
public enum SummaryTable {
    public static func render(_ report: BenchReport) -> String {
        let configuration = report.configuration
        var mode = configuration.mode == "fixed-rate"
            ? "fixed rate \(number(configuration.rate ?? 0)) requests/s (latency from intended send times)"
            : "closed loop"
        mode += ", \(configuration.connections) connections"
        let shares = configuration.success + configuration.fail + configuration.silent
        func share(_ part: Int) -> String { number(100 * Double(part) / Double(max(shares, 1))) + "%" }
        var text = """
            sendpromptly bench: \(mode), against \(configuration.server)
            mix: \(share(configuration.success)) succeed, \(share(configuration.fail)) fail, \(share(configuration.silent)) stay silent \
            (their receipts time out after \(configuration.silentTimeoutSeconds) s)
            \(report.eventsStarted) events, \(report.requests) requests in \(number(report.elapsedSeconds)) s: \
            \(number(report.throughputPerSecond)) requests/s

            """
        var rows = [["endpoint", "requests", "requests/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "answers"]]
        for endpoint in Endpoint.allCases {
            guard let figures = report.endpoints[endpoint.rawValue], figures.requests > 0 else { continue }
            let latency = figures.latency
            let answers = figures.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            rows.append([
                endpoint.rawValue, String(figures.requests), number(figures.throughputPerSecond),
                milliseconds(latency.p50), milliseconds(latency.p90), milliseconds(latency.p99), milliseconds(latency.p99_9),
                milliseconds(latency.max), answers,
            ])
        }
        text += columns(rows)
        text += "errors (non-2xx or no answer): \(report.errors)\n"
        for failure in report.connectionFailures { text += "connection failed: \(failure)\n" }
        var cpu = "CPU during the load: bench \(number(report.clientCPUSeconds)) s"
        if let server = report.serverCPUSeconds { cpu += ", server \(number(server)) s" }
        text += cpu + "\n"
        guard let verification = report.verification else { return text + "verification: skipped\n" }
        text += """
            verification: \(verification.passed ? "PASSED" : "FAILED")\
            \(report.verificationSeconds.map { " in \(number($0)) s" } ?? "")
              events checked                    \(verification.eventsChecked) (\(verification.eventsUnverifiable) left out: a signal got no 2xx)
              in the expected state             \(verification.eventsInExpectedState)/\(verification.eventsChecked)\
            \(verification.eventsLost > 0 ? ", \(verification.eventsLost) lost" : "")
              timeout incidents, exactly one    \(verification.timeoutIncidentsFound)/\(verification.timeoutIncidentsExpected)
              failed incidents, exactly one     \(verification.failedIncidentsFound)/\(verification.failedIncidentsExpected)
              duplicate / wrong-reason / unexpected incidents  \(verification.duplicateIncidents) / \
            \(verification.wrongReasonIncidents) / \(verification.unexpectedIncidents)

            """
        for problem in verification.problems { text += "  - \(problem)\n" }
        return text
    }

    private static func columns(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                // Numbers right-aligned, words left-aligned; the last column is not padded.
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if column == row.count - 1 { return cell }
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    private static func number(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    private static func milliseconds(_ value: Double) -> String {
        String(format: value >= 100 ? "%.0f" : (value >= 10 ? "%.1f" : "%.2f"), value)
    }
}
