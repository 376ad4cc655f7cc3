import Foundation
import Synchronization
import XCTest

/// `Support/smtp_server.py` (aiosmtpd, `pip install aiosmtpd`) as a child process on
/// 127.0.0.1: started with the given options, ready once it printed `ready <port>`, killed
/// when released (SIGKILL: the test runner's children inherit its blocked SIGTERM). Every
/// message it accepted is a JSON file in `messages`. Its standard input is a pipe from this
/// process; the script exits when it closes, so a crashed test run leaves no server behind.
final class SMTPTestServer: Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_server.py")

    let port: Int
    let messages: URL
    private let process: Process

    /// Starts the server with `options` (see the script's `--help`) and waits until it listens.
    init(_ options: [String] = []) async throws {
        messages = try temporaryDirectory("messages")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", Self.script.path, "--messages", messages.path] + options
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let collected = Locked((output: "", errors: ""))
        output.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            if text.isEmpty { handle.readabilityHandler = nil }
            collected.withLock { $0.output += text }
        }
        errors.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            if text.isEmpty { handle.readabilityHandler = nil }
            collected.withLock { $0.errors += text }
        }
        try process.run()
        let process = process
        let line = try await waitUntil("the SMTP test server to print its port", timeout: .seconds(30)) { () -> String? in
            let (output, errors) = collected.withLock { ($0.output, $0.errors) }
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix("ready ") }), output.contains("\n") {
                return String(line)
            }
            guard process.isRunning else {
                throw TestFailure("the SMTP test server exited before it was ready (is aiosmtpd installed? pip install aiosmtpd): \(errors)")
            }
            return nil
        }
        port = Int(line.dropFirst("ready ".count))!
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: messages)
    }

    /// The `number`th message the server accepted, once its file is there.
    func message(_ number: Int = 1) async throws -> ReceivedMessage {
        let file = messages.appendingPathComponent("message-\(number).json")
        let data = try await waitUntil("message \(number) to arrive", timeout: .seconds(10)) {
            FileManager.default.contents(atPath: file.path)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReceivedMessage.self, from: data)
    }

    /// How many messages the server accepted so far.
    var messageCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: messages.path)) ?? []).filter { $0.hasSuffix(".json") }.count
    }
}

/// A message as the test server received it and as Python's email package read it.
struct ReceivedMessage: Decodable {
    struct Auth: Decodable {
        let mechanism: String
        let login: String
    }

    struct Part: Decodable {
        let contentType: String
        let charset: String?
        let transferEncoding: String?
        let content: String
        let defects: [String]
    }

    let mailFrom: String
    let rcptTos: [String]
    /// The message data after dot-unstuffing, as sent.
    let data: String
    let tls: Bool
    let auth: Auth?
    /// Name and decoded value of each header, in order.
    let headers: [[String]]
    let contentType: String
    let parts: [Part]
    let defects: [String]

    /// The decoded value of the first header named `name`.
    func header(_ name: String) -> String? {
        headers.first { $0[0].lowercased() == name.lowercased() }?[1]
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Checks `condition` until it gives a value, every 10 ms, failing after `timeout`.
func waitUntil<T>(
    _ what: String, timeout: Duration, _ condition: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A new empty directory under the system's temporary directory.
func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-mail-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A value behind a lock, shareable with escaping closures (a `Mutex` itself cannot be
/// captured by them).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try mutex.withLock { try body(&$0) }
    }
}
