import Foundation
import XCTest

/// The operator console in a real browser: `Console/console_browser_test.py` drives headless
/// Chromium (Debian's `chromium` and `chromium-driver`, Selenium from PyPI) against the built
/// `sendpromptly` binary. It signs in, creates a project, runs the Integration Test screen's
/// curl commands as the page shows them until every checklist step is green, opens the
/// incident, presses Reprocess against the Node.js example repair endpoint and sees the
/// incident resolved. Screenshots of every page go to `CONSOLE_SCREENSHOTS` (default: a new
/// temporary directory, printed).
///
/// The project is created in the browser, so its key and signing secret exist only there: the
/// script prints them (`CREDENTIALS <key> <secret>`), this test starts the repair endpoint with
/// them and hands its URL back in a file, and the script sets it as the project's repair URL.
final class ConsoleBrowserTests: XCTestCase {
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Console").appendingPathComponent("console_browser_test.py")

    func testTheWholeConsoleFlowInABrowser() async throws {
        let python = try ExampleLanguage.python.executable()
        try Self.requireBrowser(python: python)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-console-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let handshake = work.appendingPathComponent("handshake")
        try FileManager.default.createDirectory(at: handshake, withIntermediateDirectories: true)
        let screenshots = ProcessInfo.processInfo.environment["CONSOLE_SCREENSHOTS"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-console-screenshots-\(UUID().uuidString)").path
        print("console screenshots: \(screenshots)")

        let (server, url) = try await Durability.start(work.appendingPathComponent("data"))
        let browser = try ServerProcess(
            arguments: [Self.script.path],
            environment: [
                "CONSOLE_BASE_URL": url, "CONSOLE_ADMIN_TOKEN": Durability.adminToken, "CONSOLE_SCREENSHOTS": screenshots,
                "CONSOLE_HANDSHAKE": handshake.path, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
            ],
            executable: python)
        let line = try await browser.waitForLine(containing: "CREDENTIALS ", timeout: .seconds(180))
        let credentials = line.split(separator: " ").suffix(2).map(String.init)
        XCTAssertTrue(credentials[0].hasPrefix("sk_") && credentials[1].hasPrefix("sps_"), line)
        let endpoint = try await ExampleEndpoint.start(.node, environment: [
            "SENDPROMPTLY_URL": url, "SENDPROMPTLY_API_KEY": credentials[0], "SENDPROMPTLY_SIGNING_SECRET": credentials[1],
        ])
        try Data(endpoint.repairURL.utf8).write(to: handshake.appendingPathComponent("repair_url"))

        let status = try await browser.waitForExit(timeout: .seconds(300))
        let output = browser.standardOutput
        XCTAssertEqual(status, 0, "the browser test failed:\n\(output)\n\(browser.standardError)")
        XCTAssertTrue(output.contains("console browser test passed"), output)
        XCTAssertTrue(
            endpoint.lines.contains { $0.contains("ran for") && $0.hasSuffix(": success") },
            "the example reran the effect: \(endpoint.process.standardOutput)")
        let shots = try FileManager.default.contentsOfDirectory(atPath: screenshots).filter { $0.hasSuffix(".png") }
        XCTAssertGreaterThanOrEqual(shots.count, 12, "a screenshot of every page: \(shots)")
        try await endpoint.stop()
        try await Durability.stop(server)
    }

    /// Chromium, its driver and Selenium must be installed (`.ci/run` installs them). Without
    /// them the test is skipped on a developer's machine and fails in CI (`CI` set).
    private static func requireBrowser(python: URL) throws {
        var missing: [String] = []
        for binary in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: binary) {
            missing.append(binary)
        }
        let check = Process()
        check.executableURL = python
        check.arguments = ["-c", "import selenium"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        if check.terminationStatus != 0 { missing.append("the selenium Python package") }
        guard !missing.isEmpty else { return }
        let message = "the browser test needs \(missing.joined(separator: ", ")) (apt-get install chromium chromium-driver; pip install selenium)"
        if ProcessInfo.processInfo.environment["CI"] != nil { throw ProcessError(message) }
        throw XCTSkip(message)
    }
}
