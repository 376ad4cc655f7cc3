import Foundation
import XCTest

/// A real SMTP server for the alert tests: aiosmtpd (PyPI), run from the mail tests' script
/// `Tests/SendPromptlyMailTests/Support/smtp_server.py` with STARTTLS required and AUTH, on a
/// loopback port. Every message it accepts lands in `messages` as one JSON file.
final class SMTPServerProcess: @unchecked Sendable {
    static let user = "alerts"
    static let password = "smtp-secret-0123"

    let process: ServerProcess
    let port: Int
    let messages: URL

    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SendPromptlyMailTests/Support/smtp_server.py")

    /// A self-signed certificate for localhost and 127.0.0.1, made once by openssl.
    static let certificate: Result<(certificate: String, key: String), any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-smtp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = try ServerProcess(
            arguments: [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate,
            ],
            executable: URL(fileURLWithPath: "/usr/bin/openssl"))
        let status = try awaitExit(openssl)
        guard status == 0 else { throw ProcessError("openssl req failed with status \(status)") }
        return (certificate, key)
    }

    private static func awaitExit(_ process: ServerProcess) throws -> Int32 {
        process.process.waitUntilExit()
        return process.process.terminationStatus
    }

    /// Starts the server on `port` (0: a free one), into `messages`.
    init(port: Int = 0, messages: URL, rejecting rejected: [String] = []) async throws {
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
        let tls = try Self.certificate.get()
        var arguments = [
            Self.script.path, "--messages", messages.path, "--port", String(port), "--cert", tls.certificate, "--key", tls.key,
            "--starttls", "required", "--auth", "\(Self.user):\(Self.password)",
        ]
        for address in rejected { arguments += ["--reject-recipient", address] }
        process = try ServerProcess(arguments: ["python3"] + arguments, executable: URL(fileURLWithPath: "/usr/bin/env"))
        let line = try await process.waitForLine(containing: "ready ")
        guard let chosen = Int(line.split(separator: " ").last ?? "") else { throw ProcessError("no port in \(line)") }
        self.port = chosen
        self.messages = messages
    }

    /// `--smtp-url` for the server: STARTTLS required, the test CA trusted, AUTH.
    static func url(port: Int) throws -> String {
        "smtp://\(user):\(password)@localhost:\(port)?starttls=required&ca_file=\(try certificate.get().certificate)"
    }

    /// The messages received so far, oldest first.
    func received() throws -> [[String: Any]] {
        try FileManager.default.contentsOfDirectory(atPath: messages.path)
            .filter { $0.hasSuffix(".json") }
            .sorted { Int($0.dropFirst("message-".count).dropLast(".json".count)) ?? 0 < Int($1.dropFirst("message-".count).dropLast(".json".count)) ?? 0 }
            .map { try JSONSerialization.jsonObject(with: Data(contentsOf: messages.appendingPathComponent($0))) as? [String: Any] ?? [:] }
    }

    /// Stops the server and waits until it is gone (it watches its standard input, but a kill is
    /// immediate).
    func stop() async throws {
        process.signal(SIGKILL)
        _ = try await process.waitForExit()
    }
}
