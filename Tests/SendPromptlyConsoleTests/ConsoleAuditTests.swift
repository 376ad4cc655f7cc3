import Crypto
import Foundation
import SendPromptlyCore
import XCTest

/// The console's audit trail page: what the console's own actions recorded, under the session
/// that did them.
final class ConsoleAuditTests: XCTestCase {
    func testTheAuditPageListsTheSessionsActionsNewestFirst() async throws {
        try await ConsoleHarness.run { console in
            let signedOut = try await console.get("/console/audit")
            XCTAssertEqual(signedOut.status, .seeOther, "sign-in first")

            try await console.signIn()
            let empty = try await console.get("/console/audit")
            XCTAssertTrue(empty.html.contains("No operator action yet."))

            let projectID = try await console.createProject("Audited <Shop>")
            try await console.post("/console/projects/\(projectID)", [
                ("name", "Audited <Shop>"), ("mode", "live"), ("default_timeout_minutes", "45"),
                ("slack_webhook_url", "https://hooks.slack.com/services/T/B/SECRETPART"),
            ])
            try await console.post("/console/projects/\(projectID)/signing-secret/rotate")

            let page = try await console.get("/console/audit")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.html.contains(#"aria-current="page">Audit trail"#))
            let session = try XCTUnwrap(console.cookies[ConsoleHarness.sessionCookie])
            let name = SHA256.hash(data: Data(session.utf8)).map { String(format: "%02x", $0) }.joined().prefix(12)
            XCTAssertFalse(page.html.contains(session), "the session's token is not shown")
            let actions = ["signing_secret.rotate", "project.update", "project.create"]
            let positions = actions.map { page.html.range(of: "<td data-label=\"Action\">\($0)</td>")?.lowerBound }
            XCTAssertFalse(positions.contains(nil), "every action is listed: \(page.html)")
            XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "newest first")
            XCTAssertEqual(page.html.components(separatedBy: "console_session:\(name)").count - 1, 3)
            XCTAssertTrue(page.html.contains("slack_webhook_url"), "an update names the fields it changed")
            XCTAssertFalse(page.html.contains("SECRETPART"), "changed values stay out of the trail")

            let trail = await console.engine.auditLog(limit: 10)
            XCTAssertEqual(trail.map(\.action), actions)
            XCTAssertTrue(trail.allSatisfy { $0.projectID.rawValue == projectID && $0.actor == .consoleSession(String(name)) })
        }
    }
}
