import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import SendPromptlyBench

/// The shapes a reader of the report and the chart relies on, from a recorded run whose
/// figures are known.
final class ReportTests: XCTestCase {
    private let second: UInt64 = 1_000_000_000

    /// 1,000 receipts at 1..1000 µs and 500 results at 2 ms, spread over 3 s, plus one 503.
    private func report(verification: Verification? = Verification()) throws -> BenchReport {
        var recorder = LatencyRecorder(start: 10 * second)
        for index in 0..<1000 {
            let completed = 10 * second + UInt64(index) * 3 * second / 1000
            recorder.record(.receipt, status: 202, intended: completed - UInt64(index + 1) * 1000, completed: completed)
            if index % 2 == 0 { recorder.record(.result, status: 200, intended: completed - 2_000_000, completed: completed) }
        }
        recorder.record(.result, status: 503, intended: 12 * second, completed: 12 * second + 1000)
        let outcomes = (0..<1000).map {
            EventOutcome(index: $0, kind: .success, receiptStatus: 202, eventID: "ev_\($0)", resultStatus: 200, acknowledgedAt: 0)
        }
        let load = LoadOutcome(recorder: recorder, outcomes: outcomes, elapsedNanoseconds: 3 * second, connectionFailures: [])
        let configuration = BenchReport.Configuration(
            mode: "fixed-rate", connections: 8, rate: 500, events: 1000, durationSeconds: nil, success: 1, fail: 0, silent: 0,
            silentTimeoutSeconds: 1, server: "http://127.0.0.1:1", serverStartedByBench: true)
        return BenchReport(configuration: configuration, load: load, clientCPUSeconds: 0.5, serverCPUSeconds: 1.5, verification: verification)
    }

    func testTheJSONReportHasTheFiguresUnderSnakeCaseKeys() throws {
        let data = try report().json()
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(json["requests"] as? Int, 1501)
        XCTAssertEqual(json["events_started"] as? Int, 1000)
        XCTAssertEqual(try XCTUnwrap(json["throughput_per_second"] as? Double), 500.33, accuracy: 0.01)
        XCTAssertEqual(json["throughput_over_time"] as? [Int], [501, 500, 500])
        XCTAssertEqual(json["client_cpu_seconds"] as? Double, 0.5)
        XCTAssertEqual(json["verification_passed"] as? Bool, false)
        let configuration = try XCTUnwrap(json["configuration"] as? [String: Any])
        XCTAssertEqual(configuration["mode"] as? String, "fixed-rate")
        XCTAssertEqual(configuration["silent_timeout_seconds"] as? Int, 1)
        let endpoints = try XCTUnwrap(json["endpoints"] as? [String: [String: Any]])
        let receipt = try XCTUnwrap(endpoints["receipt"])
        XCTAssertEqual(receipt["statuses"] as? [String: Int], ["202": 1000])
        let latency = try XCTUnwrap(receipt["latency"] as? [String: Any])
        // Latencies 1..1000 µs: p50 is 0.5 ms, p99.9 is 0.999 ms (HdrHistogram's 0.1 %).
        XCTAssertEqual(try XCTUnwrap(latency["p50"] as? Double), 0.5, accuracy: 0.001)
        XCTAssertEqual(try XCTUnwrap(latency["p99_9"] as? Double), 0.999, accuracy: 0.002)
        XCTAssertEqual(try XCTUnwrap(latency["max"] as? Double), 1.0, accuracy: 0.002)
        let curve = try XCTUnwrap(latency["curve"] as? [[Double]])
        XCTAssertEqual(curve.first?[0], 0)
        XCTAssertEqual(curve.last?[0], 100)
        XCTAssertEqual(curve.map { $0[1] }, curve.map { $0[1] }.sorted(), "latency never falls as the percentile rises")
        let result = try XCTUnwrap(endpoints["result"])
        XCTAssertEqual(result["statuses"] as? [String: Int], ["200": 500, "503": 1])
        XCTAssertNotNil(json["verification"] as? [String: Any])
    }

    func testTheChartIsWellFormedSVGWithBothPanelsAndNoScript() throws {
        let svg = SVGChart.render(try report())
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        XCTAssertEqual(collector.names.first, "svg")
        XCTAssertEqual(collector.names.filter { $0 == "polyline" }.count, 3, "two latency curves and the throughput line")
        XCTAssertFalse(collector.names.contains("script"))
        for label in ["90%", "99%", "99.9%", "Latency by percentile (ms)", "Throughput (requests/s)", "receipt", "result"] {
            XCTAssertTrue(collector.texts.contains(label), "no text \(label) in \(collector.texts)")
        }
        XCTAssertFalse(svg.contains("href"), "self-contained: no links to anything outside")
    }

    func testPercentileAxisLabelsAndNiceScales() {
        XCTAssertEqual((0...4).map(SVGChart.percentileLabel(nines:)), ["0%", "90%", "99%", "99.9%", "99.99%"])
        XCTAssertEqual(SVGChart.nines(99.9), 3, accuracy: 1e-9)
        XCTAssertEqual(SVGChart.niceCeiling(0.7), 1)
        XCTAssertEqual(SVGChart.niceCeiling(13), 20)
        XCTAssertEqual(SVGChart.niceCeiling(4100), 5000)
    }

    func testTheTableShowsTheVerdictAndTheCounts() throws {
        var verification = Verification()
        verification.eventsChecked = 10
        verification.eventsInExpectedState = 10
        verification.timeoutIncidentsExpected = 2
        verification.timeoutIncidentsFound = 2
        let passed = SummaryTable.render(try report(verification: verification))
        XCTAssertTrue(passed.contains("verification: PASSED"), passed)
        XCTAssertTrue(passed.contains("timeout incidents, exactly one    2/2"), passed)
        XCTAssertTrue(passed.contains("errors (non-2xx or no answer): 1"), passed)
        verification.timeoutIncidentsFound = 1
        verification.problems = ["event 7 (silent, ev_7) has no incident, expected one with reason timeout"]
        let failed = SummaryTable.render(try report(verification: verification))
        XCTAssertTrue(failed.contains("verification: FAILED"), failed)
        XCTAssertTrue(failed.contains("  - event 7 (silent, ev_7) has no incident"), failed)
    }
}

/// Element names and texts of a parsed document, in order.
private final class ElementCollector: NSObject, XMLParserDelegate {
    var names: [String] = []
    var texts: [String] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        names.append(name)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        let text = string.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { texts.append(text) }
    }
}
