import Foundation
import XCTest

/// `--tls-cert` and `--tls-key` with the real binary: a self-signed certificate made by the
/// openssl CLI for this run, HTTPS with keep-alive checked by curl, and the one-line refusals.
final class TLSTests: XCTestCase {
    private var directory: URL!

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-tls-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs `tool` to its end; fails the test unless it exits 0.
    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) async throws -> (output: String, errors: String) {
        let process = try ServerProcess(arguments: arguments, executable: URL(fileURLWithPath: tool))
        let status = try await process.waitForExit()
        XCTAssertEqual(status, 0, "\(tool) \(arguments.joined(separator: " ")): \(process.standardError)")
        return (process.standardOutput, process.standardError)
    }

    /// A self-signed certificate for 127.0.0.1 with its key, and a key of another pair.
    private func makeCertificate() async throws {
        try await run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("key.pem"), "-out", path("cert.pem"), "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        try await run("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", path("other-key.pem")])
    }

    private func serve(_ arguments: [String]) throws -> ServerProcess {
        try ServerProcess(arguments: [
            "serve", "--port", "0", "--data-dir", path("data"), "--admin-token", Durability.adminToken, "--log-level", "warning",
        ] + arguments)
    }

    func testHTTPSWithKeepAliveOnTheGivenCertificate() async throws {
        try await makeCertificate()
        let server = try serve(["--tls-cert", path("cert.pem"), "--tls-key", path("key.pem")])
        let line = try await server.waitForLine(containing: "listening on ")
        _ = try await server.waitForLine(containing: "sendpromptly ready")
        let base = try XCTUnwrap(line.range(of: "https://").map { String(line[$0.lowerBound...]) })

        // Two requests on one connection, the certificate verified against itself as the CA.
        let (output, trace) = try await run("/usr/bin/curl", [
            "--silent", "--show-error", "--verbose", "--cacert", path("cert.pem"),
            "-H", "Accept: application/json", "-H", "Authorization: Bearer \(Durability.adminToken)",
            "\(base)/healthz", "\(base)/admin/v1/projects",
        ])
        XCTAssertTrue(output.contains(#"{"status":"ok"}"#), output)
        XCTAssertTrue(output.contains(#"{"projects":[]}"#), output)
        XCTAssertTrue(trace.contains("Re-using existing connection"), "HTTP/1.1 keep-alive over TLS: \(trace)")

        // Plain HTTP to the TLS port gets no answer.
        let plain = try ServerProcess(
            arguments: ["--silent", "--max-time", "10", base.replacingOccurrences(of: "https://", with: "http://") + "/healthz"],
            executable: URL(fileURLWithPath: "/usr/bin/curl"))
        let plainStatus = try await plain.waitForExit()
        XCTAssertNotEqual(plainStatus, 0)

        server.signal(SIGTERM)
        let status = try await server.waitForExit()
        XCTAssertEqual(status, 0)
    }

    func testAKeyOfAnotherCertificateOrAnUnreadableFileStopsTheStartWithOneLine() async throws {
        try await makeCertificate()
        let cases: [([String], String)] = [
            (["--tls-cert", path("cert.pem"), "--tls-key", path("other-key.pem")], "does not match the certificate"),
            (["--tls-cert", path("missing.pem"), "--tls-key", path("key.pem")], "--tls-cert \(path("missing.pem")) cannot be read"),
            (["--tls-cert", path("cert.pem"), "--tls-key", path("missing.pem")], "--tls-key \(path("missing.pem")) cannot be read"),
            (["--tls-cert", path("key.pem"), "--tls-key", path("key.pem")], "is not a PEM certificate"),
            (["--tls-cert", path("cert.pem")], "--tls-cert needs --tls-key"),
        ]
        for (arguments, message) in cases {
            let server = try serve(arguments)
            let status = try await server.waitForExit()
            XCTAssertNotEqual(status, 0, "\(arguments)")
            let lines = server.standardError.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "one line: \(server.standardError)")
            XCTAssertTrue(server.standardError.contains(message), "\(arguments): \(server.standardError)")
            XCTAssertFalse(server.standardOutput.contains("listening"), "it never listened")
        }
    }
}
