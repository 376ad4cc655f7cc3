import Crypto
import Foundation
import XCTest

/// `sendpromptly serve` as a user runs it: the real binary, real files, real signals.
final class ServeCommandTests: XCTestCase {
    private var dataDirectory: URL!

    override func setUp() {
        dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sendpromptly-test-\(UUID().uuidString)")
            .appendingPathComponent("data")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dataDirectory.deletingLastPathComponent())
    }

    private func permissions(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func testFirstStartGeneratesTheAdminTokenOnceAndKeepsOnlyItsHash() async throws {
        let (server, url) = try await ServerProcess.serve(dataDirectory: dataDirectory)
        let line = try await server.waitForLine(containing: "Generated admin token")
        let token = try XCTUnwrap(line.split(separator: " ").last.map(String.init))
        XCTAssertTrue(token.hasPrefix("spa_"))

        XCTAssertEqual(try permissions(dataDirectory), 0o700)
        let stored = dataDirectory.appendingPathComponent("admin-token.sha256")
        XCTAssertEqual(try permissions(stored), 0o600)
        let contents = try String(contentsOf: stored, encoding: .utf8)
        XCTAssertFalse(contents.contains(token), "the token itself never rests on disk")
        let digest = SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(contents.trimmingCharacters(in: .whitespacesAndNewlines), digest)
        XCTAssertFalse(server.standardError.contains(token), "the token is never logged")

        let projects = try await HTTP.send(.GET, "\(url)/admin/v1/projects", bearer: token)
        XCTAssertEqual(projects.status, 200)
        server.signal(SIGTERM)
        let status = try await server.waitForExit()
        XCTAssertEqual(status, 0)

        let (again, againURL) = try await ServerProcess.serve(dataDirectory: dataDirectory)
        XCTAssertFalse(again.standardOutput.contains("Generated admin token"), "printed once, on the first start only")
        let stillValid = try await HTTP.send(.GET, "\(againURL)/admin/v1/projects", bearer: token)
        XCTAssertEqual(stillValid.status, 200)
        again.signal(SIGINT)
        let againStatus = try await again.waitForExit()
        XCTAssertEqual(againStatus, 0)
    }

    func testEnvironmentVariablesConfigureServeAndFlagsWin() async throws {
        let fromEnvironment = "env-admin-token-0123456789"
        let fromFlag = "flag-admin-token-0123456789"
        let (server, url) = try await ServerProcess.serve(
            dataDirectory: dataDirectory, environment: ["SENDPROMPTLY_ADMIN_TOKEN": fromEnvironment])
        let envReply = try await HTTP.send(.GET, "\(url)/admin/v1/projects", bearer: fromEnvironment)
        XCTAssertEqual(envReply.status, 200)
        XCTAssertFalse(server.standardOutput.contains("Generated admin token"))
        server.signal(SIGTERM)
        _ = try await server.waitForExit()

        let (flagServer, flagURL) = try await ServerProcess.serve(
            dataDirectory: dataDirectory, arguments: ["--admin-token", fromFlag],
            environment: ["SENDPROMPTLY_ADMIN_TOKEN": fromEnvironment])
        let flagReply = try await HTTP.send(.GET, "\(flagURL)/admin/v1/projects", bearer: fromFlag)
        XCTAssertEqual(flagReply.status, 200)
        let envRefused = try await HTTP.send(.GET, "\(flagURL)/admin/v1/projects", bearer: fromEnvironment)
        XCTAssertEqual(envRefused.status, 401)
        flagServer.signal(SIGTERM)
        _ = try await flagServer.waitForExit()
    }

    func testBadSettingsStopTheStartWithOneLineOnStandardError() async throws {
        let file = dataDirectory.deletingLastPathComponent().appendingPathComponent("a-file")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: file)
        let data = ["--data-dir", dataDirectory.path]
        let cases: [([String], [String: String], String)] = [
            (["serve", "--port", "70000"] + data, [:], "--port"),
            (["serve"] + data, ["SENDPROMPTLY_PORT": "eighty"], "SENDPROMPTLY_PORT"),
            (["serve", "--port", "0", "--log-level", "loud"] + data, [:], "--log-level"),
            (["serve", "--port", "0", "--data-dir", file.path], [:], "not a directory"),
            (["serve", "--port", "0", "--admin-token", "short"] + data, [:], "admin token"),
            (["serve", "--port", "0", "--no-such-flag"] + data, [:], "no-such-flag"),
            (["serve", "--port", "0", "--rate-limit", "fast"] + data, [:], "--rate-limit"),
            (["serve", "--port", "0", "--max-connections", "0"] + data, [:], "--max-connections"),
            (["serve", "--port", "0", "--request-timeout", "0"] + data, [:], "--request-timeout"),
            (["serve", "--port", "0", "--retention", "59s"] + data, [:], "--retention"),
            (["serve", "--port", "0", "--retention", "2w"] + data, [:], "--retention"),
            (["serve", "--port", "0"] + data, ["SENDPROMPTLY_IDEMPOTENCY_WINDOW": "12x"], "--idempotency-window"),
        ]
        for (arguments, environment, expected) in cases {
            let process = try ServerProcess(arguments: arguments, environment: environment)
            let status = try await process.waitForExit()
            XCTAssertNotEqual(status, 0, "\(arguments) \(environment)")
            let lines = process.standardError.split(separator: "\n").filter { !$0.isEmpty }
            XCTAssertTrue(lines.first?.contains(expected) ?? false, "\(arguments): \(process.standardError)")
            XCTAssertLessThanOrEqual(lines.count, 3, "a short reason, not a trace: \(process.standardError)")
        }
    }

    func testATakenPortIsReportedAndTheSecondServerExits() async throws {
        let (first, url) = try await ServerProcess.serve(dataDirectory: dataDirectory, arguments: ["--admin-token", "admin-token-0123456789"])
        let port = try XCTUnwrap(url.split(separator: ":").last.map(String.init))
        let second = try ServerProcess(arguments: [
            "serve", "--port", port, "--data-dir", dataDirectory.path, "--admin-token", "admin-token-0123456789",
        ])
        let status = try await second.waitForExit()
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(second.standardError.contains("cannot listen"), second.standardError)
        first.signal(SIGTERM)
        _ = try await first.waitForExit()
    }

    func testHelpExplainsEveryOptionWithItsVariable() async throws {
        let help = try ServerProcess(arguments: ["serve", "--help"])
        let status = try await help.waitForExit()
        XCTAssertEqual(status, 0)
        for variable in [
            "SENDPROMPTLY_HOST", "SENDPROMPTLY_PORT", "SENDPROMPTLY_DATA_DIR", "SENDPROMPTLY_ADMIN_TOKEN",
            "SENDPROMPTLY_SHARDS", "SENDPROMPTLY_MAX_BODY_BYTES", "SENDPROMPTLY_ALLOW_INSECURE_REPAIR_URLS",
            "SENDPROMPTLY_LOG_LEVEL", "SENDPROMPTLY_RATE_LIMIT", "SENDPROMPTLY_RATE_LIMIT_BURST",
            "SENDPROMPTLY_MAX_PENDING_PER_PROJECT", "SENDPROMPTLY_MAX_CONNECTIONS", "SENDPROMPTLY_MAX_CONNECTIONS_PER_CLIENT",
            "SENDPROMPTLY_IDLE_TIMEOUT", "SENDPROMPTLY_REQUEST_TIMEOUT", "SENDPROMPTLY_MAX_HEADER_BYTES",
            "SENDPROMPTLY_MAX_HEADER_COUNT",
        ] {
            XCTAssertTrue(help.standardOutput.contains(variable), variable)
        }
    }

    /// The promise of section 4 against the real clock: an incident is visible within one
    /// second after `timeout_at`. The test waits once, for that instant, then looks.
    func testATimeoutIncidentIsVisibleWithinOneSecondOfTheDeadline() async throws {
        let admin = "admin-token-0123456789"
        let (server, url) = try await ServerProcess.serve(dataDirectory: dataDirectory, arguments: ["--admin-token", admin])
        let project = try await HTTP.send(.POST, "\(url)/admin/v1/projects", bearer: admin, json: #"{"name": "Clock"}"#)
        let key = try XCTUnwrap(project.body["api_key"] as? String)
        let receipt = try await HTTP.send(
            .POST, "\(url)/v1/receipt", bearer: key,
            json: #"{"provider": "shopify", "provider_event_id": "wh_1", "event_type": "orders/paid", "effect_type": "access_unlock", "timeout_seconds": 2}"#,
            idempotencyKey: "clock-1")
        XCTAssertEqual(receipt.status, 202)
        let eventID = try XCTUnwrap(receipt.body["event_id"] as? String)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let timeoutAt = try XCTUnwrap(formatter.date(from: try XCTUnwrap(receipt.body["timeout_at"] as? String)))

        // Waits for the state, then judges the lateness by the server's own clock (when the
        // incident says it opened), not by how fast this test got to look.
        let event = try await eventually("the receipt to time out") {
            let event = try await HTTP.send(.GET, "\(url)/api/v1/events/\(eventID)", bearer: key)
            return event.body["state"] as? String == "timed_out" ? event : nil
        }
        let incidentID = try XCTUnwrap(event.body["incident_id"] as? String)
        let incident = try await HTTP.send(.GET, "\(url)/api/v1/incidents/\(incidentID)", bearer: key)
        XCTAssertEqual(incident.body["reason"] as? String, "timeout")
        XCTAssertEqual(incident.body["status"] as? String, "open")
        let openedAt = try XCTUnwrap(formatter.date(from: try XCTUnwrap(incident.body["opened_at"] as? String)))
        let lateness = openedAt.timeIntervalSince(timeoutAt)
        XCTAssertTrue((0...1).contains(lateness), "opened \(lateness) s after the deadline")
        server.signal(SIGTERM)
        let status = try await server.waitForExit()
        XCTAssertEqual(status, 0)
    }
}
