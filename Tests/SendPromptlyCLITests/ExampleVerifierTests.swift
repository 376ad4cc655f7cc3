import Foundation
import XCTest

/// The client examples in `examples/`, run as a merchant runs them: each language's repair
/// endpoint as a child process receiving callbacks this test signs itself, and each language's
/// signals script against the real `sendpromptly` server. A language whose interpreter is not on
/// PATH is skipped, and says so.
final class ExampleVerifierTests: XCTestCase {
    private let secret = "sps_c2VuZHByb21wdGx5LWV4YW1wbGUtc2lnbmluZy1zZWM"
    private let oldSecret = "sps_b2xkLXNlY3JldC1zdGlsbC1pbi1pdHMtZ3JhY2UtcGVy"
    private let apiKey = "sk_ExampleVerifierTestsKey0123456789abcdefgh"
    private var scratch: URL!

    override func setUp() {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-examples-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    // MARK: Repair endpoints

    func testNodeRepairEndpointVerifiesCallbacksAndReportsEachReplayOnce() async throws {
        try await checkRepairEndpoint(.node)
    }

    func testPythonRepairEndpointVerifiesCallbacksAndReportsEachReplayOnce() async throws {
        try await checkRepairEndpoint(.python)
    }

    func testPHPRepairEndpointVerifiesCallbacksAndReportsEachReplayOnce() async throws {
        try await checkRepairEndpoint(.php)
    }

    func testSwiftRepairEndpointVerifiesCallbacksAndReportsEachReplayOnce() async throws {
        try await checkRepairEndpoint(.swift)
    }

    func testNodeRepairEndpointReportsAFailedEffect() async throws {
        try await checkFailedEffect(.node)
    }

    func testPythonRepairEndpointReportsAFailedEffect() async throws {
        try await checkFailedEffect(.python)
    }

    func testPHPRepairEndpointReportsAFailedEffect() async throws {
        try await checkFailedEffect(.php)
    }

    func testSwiftRepairEndpointReportsAFailedEffect() async throws {
        try await checkFailedEffect(.swift)
    }

    // MARK: Signals against the real server

    func testNodeSignalsSucceedAnEventOnTheRealServer() async throws {
        try await checkSignals(.node)
    }

    func testPythonSignalsSucceedAnEventOnTheRealServer() async throws {
        try await checkSignals(.python)
    }

    func testPHPSignalsSucceedAnEventOnTheRealServer() async throws {
        try await checkSignals(.php)
    }

    func testSwiftSignalsSucceedAnEventOnTheRealServer() async throws {
        try await checkSignals(.swift)
    }

    func testLaravelControllerAndVerifierAreValidPHP() async throws {
        let php = try ExampleLanguage.php.executable()
        for file in ["php/laravel/SendPromptlyRepairController.php", "php/laravel/SendPromptlyVerifier.php"] {
            let lint = try ServerProcess(arguments: ["-l", ExampleLanguage.php.path(file)], executable: php)
            let status = try await lint.waitForExit()
            XCTAssertEqual(status, 0, "\(file): \(lint.standardOutput) \(lint.standardError)")
            XCTAssertTrue(lint.standardOutput.contains("No syntax errors"), lint.standardOutput)
        }
    }

    // MARK: The checks

    /// Every verification rule of section 5, then the report: a genuine callback gets 2xx and
    /// its outcome is reported once per replay_id; every forgery gets 401, a bad body 400, and
    /// neither is reported.
    private func checkRepairEndpoint(_ language: ExampleLanguage) async throws {
        let sink = try ResultSink()
        defer { sink.close() }
        try await withEndpoint(language, sink: sink) { endpoint in
            let url = endpoint.repairURL
            let tag = language.rawValue
            let body = { (replay: String, attempt: Int) in
                SignedCallback.body(replayID: "rpl_\(tag)_\(replay)", eventID: "ev_\(tag)_\(replay)", attempt: attempt)
            }

            // A genuine callback: accepted at once; then the effect reruns and its outcome is reported.
            let genuine = try await SignedCallback.signed(body("genuine", 1), secret: self.secret).send(to: url)
            XCTAssertTrue((200..<300).contains(genuine.status), "\(language) answered \(genuine) to a genuine callback")
            XCTAssertEqual(genuine.body["accepted"] as? Bool, true)
            try await eventually("\(language) to report rpl_\(tag)_genuine") { !sink.reports(for: "rpl_\(tag)_genuine").isEmpty }
            let report = sink.reports(for: "rpl_\(tag)_genuine")[0]
            XCTAssertEqual(report.method, "POST")
            XCTAssertEqual(report.path, "/api/v1/result")
            XCTAssertEqual(report.headers["authorization"], "Bearer \(self.apiKey)")
            XCTAssertEqual(report.headers["idempotency-key"], "repair-rpl_\(tag)_genuine")
            XCTAssertEqual(report.headers["accept"], "application/json")
            XCTAssertEqual(report.headers["content-type"].map { $0.hasPrefix("application/json") }, true)
            XCTAssertEqual(report.body["event_id"] as? String, "ev_\(tag)_genuine")
            XCTAssertEqual(report.body["status"] as? String, "success")
            XCTAssertNil(report.body["error_code"])
            _ = try await endpoint.process.waitForLine(containing: "reported rpl_\(tag)_genuine success -> 200")

            // Forgeries and replays: 401 {"error": ...}, each.
            func assertRejected(_ reply: (status: Int, body: [String: Any]), _ what: String) {
                XCTAssertEqual(reply.status, 401, "\(language) answered \(reply) to \(what)")
                XCTAssertNotNil(reply.body["error"] as? String, "\(language): \(what) gets {\"error\": ...}")
            }
            let forged = body("forged", 1)
            var tampered = SignedCallback.signed(forged, secret: self.secret)
            tampered.body = Array(String(decoding: forged, as: UTF8.self).replacingOccurrences(of: "user_42", with: "user_43").utf8)
            assertRejected(try await tampered.send(to: url), "a tampered body")
            assertRejected(try await SignedCallback.signed(forged, secret: self.secret, offset: -301).send(to: url), "a timestamp 301 s old")
            assertRejected(try await SignedCallback.signed(forged, secret: self.secret, offset: 301).send(to: url), "a timestamp 301 s ahead")
            assertRejected(try await SignedCallback.signed(forged, secret: self.oldSecret).send(to: url), "a wrong secret")
            for header in ["X-SendPromptly-Timestamp", "X-SendPromptly-Nonce", "X-SendPromptly-Signature"] {
                assertRejected(try await SignedCallback.signed(forged, secret: self.secret).send(to: url, omitting: header), "no \(header)")
            }
            let once = SignedCallback.signed(body("once", 1), secret: self.secret)
            let first = try await once.send(to: url)
            XCTAssertTrue((200..<300).contains(first.status), "\(language) answered \(first) to a genuine callback")
            assertRejected(try await once.send(to: url), "the same callback again (a replayed nonce)")

            // During a rotation the header carries two signatures; one matching is enough.
            var rotated = SignedCallback.signed(body("rotated", 1), secret: self.secret)
            let old = SignedCallback.sign(rotated.body, timestamp: rotated.timestamp, nonce: rotated.nonce, secret: self.oldSecret)
            rotated.signature = "v1=\(old) \(rotated.signature)"
            let accepted = try await rotated.send(to: url)
            XCTAssertTrue((200..<300).contains(accepted.status), "\(language) answered \(accepted) to \(rotated.signature)")

            // Genuine but malformed: 400.
            let malformed = try await SignedCallback.signed(Array(#"{"type": "reprocess.requested""#.utf8), secret: self.secret).send(to: url)
            XCTAssertEqual(malformed.status, 400, "\(language) answered \(malformed) to a malformed body")

            // The same replay delivered again (attempt 2, a new nonce): accepted, its stored
            // outcome reported again under the same Idempotency-Key, the effect not rerun.
            let again = try await SignedCallback.signed(body("genuine", 2), secret: self.secret).send(to: url)
            XCTAssertTrue((200..<300).contains(again.status), "\(language) answered \(again) to attempt 2")
            try await eventually("\(language) to report every accepted replay") {
                sink.reports(for: "rpl_\(tag)_genuine").count >= 2 && !sink.reports(for: "rpl_\(tag)_once").isEmpty
                    && !sink.reports(for: "rpl_\(tag)_rotated").isEmpty
            }
            XCTAssertEqual(sink.reports(for: "rpl_\(tag)_once").count, 1, "a replayed nonce is never acted on")
            let reports = sink.reports(for: "rpl_\(tag)_genuine")
            XCTAssertEqual(reports.count, 2)
            XCTAssertEqual(reports[1].body as NSDictionary, reports[0].body as NSDictionary)
            XCTAssertEqual(reports[1].headers["idempotency-key"], "repair-rpl_\(tag)_genuine")
            _ = try await endpoint.process.waitForLine(containing: "reported rpl_\(tag)_rotated success -> 200")
            let effects = endpoint.lines.filter { $0.hasPrefix("effect ") && $0.contains("(rpl_\(tag)_genuine)") }
            XCTAssertEqual(effects.count, 1, "the effect of one replay runs once:\n\(endpoint.process.standardOutput)")

            XCTAssertTrue(sink.reports(for: "rpl_\(tag)_forged").isEmpty, "a rejected callback is never acted on")
            XCTAssertEqual(sink.reports.count, 4)
            // One log line per rejected callback, and never the secret.
            XCTAssertEqual(endpoint.lines.filter { $0.hasPrefix("rejected callback") }.count, 9, endpoint.process.standardOutput)
            XCTAssertFalse(endpoint.process.standardOutput.contains(self.secret))
            XCTAssertFalse(endpoint.process.standardError.contains(self.secret))
        }
    }

    /// With `REPAIR_EFFECT_OUTCOME=failed` the outcome is reported as failed, with `effect_failed`.
    private func checkFailedEffect(_ language: ExampleLanguage) async throws {
        let sink = try ResultSink()
        defer { sink.close() }
        try await withEndpoint(language, sink: sink, environment: ["REPAIR_EFFECT_OUTCOME": "failed"]) { endpoint in
            let replay = "rpl_\(language.rawValue)_fails"
            let callback = SignedCallback.signed(SignedCallback.body(replayID: replay, eventID: "ev_fails"), secret: self.secret)
            let reply = try await callback.send(to: endpoint.repairURL)
            XCTAssertTrue((200..<300).contains(reply.status), "\(language) answered \(reply)")
            try await eventually("\(language) to report \(replay)") { !sink.reports(for: replay).isEmpty }
            let report = sink.reports(for: replay)[0]
            XCTAssertEqual(report.body["status"] as? String, "failed")
            XCTAssertEqual(report.body["error_code"] as? String, "effect_failed")
            XCTAssertFalse((report.body["error_message"] as? String ?? "").isEmpty)
            XCTAssertEqual(report.body["event_id"] as? String, "ev_fails")
            _ = try await endpoint.process.waitForLine(containing: "reported \(replay) failed -> 200")
        }
    }

    /// The signals script sends a receipt and a success result; the real server then has the
    /// event `succeeded`. Run twice with the same provider event id, it is a safe retry: the
    /// same event, still succeeded.
    private func checkSignals(_ language: ExampleLanguage) async throws {
        let executable = try language.executable()
        let admin = "admin-token-0123456789"
        let (server, url) = try await ServerProcess.serve(
            dataDirectory: scratch.appendingPathComponent("data"), arguments: ["--admin-token", admin])
        let project = try await HTTP.send(.POST, "\(url)/admin/v1/projects", bearer: admin, json: #"{"name": "Examples"}"#)
        XCTAssertEqual(project.status, 201)
        let key = try XCTUnwrap(project.body["api_key"] as? String)
        let providerEventID = "evt_\(language.rawValue)_\(UUID().uuidString.prefix(8))"

        var eventIDs: [String] = []
        for _ in 1...2 {
            let run = try ServerProcess(
                arguments: language.signalsArguments(providerEventID),
                environment: ExampleLanguage.quietEnvironment.merging(["SENDPROMPTLY_URL": url, "SENDPROMPTLY_API_KEY": key]) { $1 },
                executable: executable)
            let status = try await run.waitForExit()
            XCTAssertEqual(status, 0, "\(language) signals: \(run.standardOutput) \(run.standardError)")
            let output = run.standardOutput
            XCTAssertTrue(output.contains("receipt -> 202"), output)
            XCTAssertTrue(output.contains("result -> 200"), output)
            let eventID = try XCTUnwrap(output.firstMatch(of: /ev_[0-9A-Za-z]+/).map { String($0.output) }, output)
            eventIDs.append(eventID)
        }
        XCTAssertEqual(eventIDs[0], eventIDs[1], "the second run is a retry of the first")

        let event = try await HTTP.send(.GET, "\(url)/api/v1/events/\(eventIDs[0])", bearer: key)
        XCTAssertEqual(event.status, 200)
        XCTAssertEqual(event.body["state"] as? String, "succeeded", "\(event.body)")
        XCTAssertEqual(event.body["provider_event_id"] as? String, providerEventID)
        XCTAssertEqual(event.body["effect_type"] as? String, "access_unlock")
        XCTAssertEqual(event.body["event_type"] as? String, "checkout.session.completed")
        XCTAssertEqual(event.body["internal_reference"] as? String, "user_42")
        server.signal(SIGTERM)
        let status = try await server.waitForExit()
        XCTAssertEqual(status, 0)
    }

    /// Runs `body` against `language`'s repair endpoint, configured to report to `sink`, and
    /// stops the endpoint afterwards, also when `body` throws.
    private func withEndpoint(
        _ language: ExampleLanguage, sink: ResultSink, environment: [String: String] = [:],
        _ body: (ExampleEndpoint) async throws -> Void
    ) async throws {
        let endpoint = try await ExampleEndpoint.start(language, environment: [
            "SENDPROMPTLY_URL": sink.url,
            "SENDPROMPTLY_API_KEY": apiKey,
            "SENDPROMPTLY_SIGNING_SECRET": secret,
            "REPAIR_STATE_DIR": scratch.appendingPathComponent("state").path,
        ].merging(environment) { $1 })
        do {
            try await body(endpoint)
        } catch {
            try? await endpoint.stop()
            throw ProcessError("\(error)\n\(language) stdout:\n\(endpoint.process.standardOutput)\nstderr:\n\(endpoint.process.standardError)")
        }
        try await endpoint.stop()
    }
}
