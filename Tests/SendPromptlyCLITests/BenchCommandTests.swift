import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import XCTest

/// `sendpromptly bench` as an operator runs it: the built binary, a server it starts itself or
/// one given by `--url`, and its report read back as JSON.
final class BenchCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func readReport(_ path: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
    }

    func testAClosedLoopAgainstItsOwnServerVerifiesEveryEventAndWritesTheReportAndChart() async throws {
        let report = directory.appendingPathComponent("report.json")
        let chart = directory.appendingPathComponent("chart.svg")
        let run = try await ServerProcess.run(
            ["bench", "--events", "400", "--connections", "4", "--report", report.path, "--chart", chart.path],
            timeout: .seconds(180))
        XCTAssertEqual(run.status, 0, "stdout: \(run.output)\nstderr: \(run.errors)")
        XCTAssertTrue(run.output.contains("verification: PASSED"), run.output)

        // The default mix (80/15/5) over 400 events: 320 succeed, 60 fail, 20 stay silent.
        let json = try readReport(report)
        XCTAssertEqual(json["events_started"] as? Int, 400)
        XCTAssertEqual(json["verification_passed"] as? Bool, true)
        let endpoints = try XCTUnwrap(json["endpoints"] as? [String: [String: Any]])
        XCTAssertEqual(endpoints["receipt"]?["statuses"] as? [String: Int], ["202": 400])
        XCTAssertEqual(endpoints["result"]?["statuses"] as? [String: Int], ["200": 380])
        let verification = try XCTUnwrap(json["verification"] as? [String: Any])
        XCTAssertEqual(verification["events_checked"] as? Int, 400)
        XCTAssertEqual(verification["events_in_expected_state"] as? Int, 400)
        XCTAssertEqual(verification["timeout_incidents_found"] as? Int, 20)
        XCTAssertEqual(verification["failed_incidents_found"] as? Int, 60)
        XCTAssertEqual(verification["duplicate_incidents"] as? Int, 0)
        let configuration = try XCTUnwrap(json["configuration"] as? [String: Any])
        XCTAssertEqual(configuration["server_started_by_bench"] as? Bool, true)
        XCTAssertEqual(configuration["mode"] as? String, "closed-loop")

        let svg = try String(contentsOf: chart, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg)
        XCTAssertTrue(svg.contains("Latency by percentile"))
    }

    func testAFixedRateRunVerifiesToo() async throws {
        let report = directory.appendingPathComponent("report.json")
        let run = try await ServerProcess.run(
            ["bench", "--rate", "400", "--events", "120", "--connections", "3", "--success", "1", "--fail", "1", "--silent", "1",
             "--report", report.path],
            timeout: .seconds(180))
        XCTAssertEqual(run.status, 0, "stdout: \(run.output)\nstderr: \(run.errors)")
        let json = try readReport(report)
        let configuration = try XCTUnwrap(json["configuration"] as? [String: Any])
        XCTAssertEqual(configuration["mode"] as? String, "fixed-rate")
        let verification = try XCTUnwrap(json["verification"] as? [String: Any])
        XCTAssertEqual(verification["timeout_incidents_found"] as? Int, 40)
        XCTAssertEqual(verification["failed_incidents_found"] as? Int, 40)
        XCTAssertEqual(json["verification_passed"] as? Bool, true)
        XCTAssertTrue(run.output.contains("fixed rate 400 requests/s"), run.output)
    }

    /// A real server behind a proxy that acknowledges every `failed` result and drops it:
    /// the acknowledged failures never reach the engine, and the verification must say so.
    func testVerificationFailsWhenTheServerDropsAcknowledgedResults() async throws {
        let (server, url) = try await Durability.start(directory.appendingPathComponent("data"))
        let proxy = LossyProxy(upstream: url)
        let proxyURL = try await proxy.start()
        defer { proxy.stop() }
        let report = directory.appendingPathComponent("report.json")
        let run = try await ServerProcess.run(
            ["bench", "--url", proxyURL, "--admin-token", Durability.adminToken, "--events", "60", "--connections", "2",
             "--success", "1", "--fail", "1", "--silent", "0", "--report", report.path],
            timeout: .seconds(180))
        XCTAssertEqual(run.status, 1, "stdout: \(run.output)\nstderr: \(run.errors)")
        XCTAssertTrue(run.output.contains("verification: FAILED"), run.output)
        XCTAssertEqual(proxy.dropped, 30)

        let json = try readReport(report)
        XCTAssertEqual(json["verification_passed"] as? Bool, false)
        let verification = try XCTUnwrap(json["verification"] as? [String: Any])
        XCTAssertEqual(verification["failed_incidents_expected"] as? Int, 30)
        XCTAssertEqual(verification["failed_incidents_found"] as? Int, 0)
        XCTAssertEqual(verification["events_in_wrong_state"] as? Int, 30)
        XCTAssertEqual(verification["events_in_expected_state"] as? Int, 30, "the successes arrived")
        XCTAssertTrue(run.output.contains("is pending with incident none, expected failed"), run.output)
        try await Durability.stop(server)
    }

    func testURLWithoutAnAdminTokenIsRefused() async throws {
        let run = try await ServerProcess.run(["bench", "--url", "http://127.0.0.1:9"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.errors.contains("--url needs --admin-token"), run.errors)
    }
}

/// Forwards every request to `upstream`, except `failed` results: those it answers 200 itself
/// and throws away, as a server that loses acknowledged writes would.
private final class LossyProxy: Sendable {
    private let upstream: String
    private let droppedCount = Mutex(0)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(upstream: String) {
        self.upstream = upstream
    }

    var dropped: Int { droppedCount.withLock { $0 } }

    /// Starts listening on a free loopback port; answers its base URL.
    func start() async throws -> String {
        let router = Router()
        for method in [HTTPRequest.Method.get, .post] {
            router.on("**", method: method) { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                let path = request.uri.description
                if method == .post, path.hasPrefix("/api/v1/result"), String(buffer: body).contains(#""status":"failed""#) {
                    self.droppedCount.withLock { $0 += 1 }
                    return Response(
                        status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: #"{"event_id":null,"status":"failed","incident_id":null,"incident_status":null}"#)))
                }
                var forwarded = HTTPClientRequest(url: self.upstream + path)
                forwarded.method = method == .post ? .POST : .GET
                for field in request.headers where !["host", "content-length", "connection"].contains(field.name.canonicalName) {
                    forwarded.headers.add(name: field.name.rawName, value: field.value)
                }
                if method == .post { forwarded.body = .bytes(body) }
                let answer = try await HTTPClient.shared.execute(forwarded, timeout: .seconds(30))
                let bytes = try await answer.body.collect(upTo: 1 << 24)
                return Response(
                    status: .init(code: Int(answer.status.code)),
                    headers: [.contentType: answer.headers.first(name: "content-type") ?? "application/json"],
                    body: .init(byteBuffer: bytes))
            }
        }
        let (running, port) = try await serveOnLoopback(router, name: "the lossy proxy")
        task.withLock { $0 = running }
        return "http://127.0.0.1:\(port)"
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
