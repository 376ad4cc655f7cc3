import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SendPromptlyBench
import XCTest

/// The built `sendpromptly` binary, run as a child process the way an operator runs it.
/// Output is read as it comes; waits are for conditions (a line printed, the process exited)
/// bounded by a deadline, never fixed pauses.
final class ServerProcess: @unchecked Sendable {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SENDPROMPTLY_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        // XCTest on Linux runs from the build products directory, next to the executable.
        return Bundle.main.bundleURL.appendingPathComponent("sendpromptly")
    }

    let process = Process()
    /// Held open while this object lives: a child that watches its standard input (the test
    /// SMTP server) ends when the test that started it is gone.
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var stdoutText = ""
    private var stderrText = ""
    private var exitStatus: Int32?
    /// End of file seen on stdout and stderr: the process's output is complete.
    private var closedPipes = 0
    private var waiters: [UUID: (condition: () -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]

    /// Starts `executable` (by default the `sendpromptly` binary) with `arguments`; the
    /// environment is this process's, less its `SENDPROMPTLY_` variables, plus `environment`.
    init(arguments: [String], environment: [String: String] = [:], executable: URL = ServerProcess.binary) throws {
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SENDPROMPTLY_") }
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        Self.readToEnd(output.fileHandleForReading) { [weak self] data in
            self?.update { server in
                if data.isEmpty { server.closedPipes += 1 }
                server.stdoutText += String(decoding: data, as: UTF8.self)
            }
        }
        Self.readToEnd(errors.fileHandleForReading) { [weak self] data in
            self?.update { server in
                if data.isEmpty { server.closedPipes += 1 }
                server.stderrText += String(decoding: data, as: UTF8.self)
            }
        }
        process.terminationHandler = { [weak self] process in
            self?.update { $0.exitStatus = process.terminationStatus }
        }
        // A child started from a test thread would otherwise ignore SIGTERM.
        try process.runWithNoSignalsBlocked()
    }

    /// Hands `receive` each chunk read from `handle`, then an empty chunk at end of file. A
    /// thread doing blocking reads: `readabilityHandler` on Linux now and then never reported the
    /// end of file of a process that had exited, and the wait for its exit hung.
    private static func readToEnd(_ handle: FileHandle, _ receive: @escaping @Sendable (Data) -> Void) {
        Thread {
            while true {
                let data = handle.availableData
                receive(data)
                if data.isEmpty { return }
            }
        }.start()
    }

    /// Starts `serve` on a free port with `dataDirectory` and waits until it has recovered and
    /// answers requests.
    static func serve(
        dataDirectory: URL, arguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> (ServerProcess, baseURL: String) {
        let server = try ServerProcess(
            arguments: ["serve", "--port", "0", "--data-dir", dataDirectory.path, "--log-level", "warning"] + arguments,
            environment: environment)
        let line = try await server.waitForLine(containing: "listening on ")
        _ = try await server.waitForLine(containing: "sendpromptly ready")
        let url = String(line[line.range(of: "http://")!.lowerBound...]).trimmingCharacters(in: .whitespaces)
        return (server, url)
    }

    var standardOutput: String { lock.withLock { stdoutText } }
    var standardError: String { lock.withLock { stderrText } }

    /// Applies `change` and wakes every waiter whose condition now holds.
    private func update(_ change: (ServerProcess) -> Void) {
        let ready: [CheckedContinuation<Void, Never>] = lock.withLock {
            change(self)
            let met = waiters.filter { $0.value.condition() }
            for id in met.keys { waiters[id] = nil }
            return met.values.map(\.continuation)
        }
        ready.forEach { $0.resume() }
    }

    /// Suspends until `condition` (read under the lock) holds, or the task is cancelled.
    private func wait(until condition: @escaping () -> Bool) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done: Bool = lock.withLock {
                    if condition() || Task.isCancelled { return true }
                    waiters[id] = (condition, continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let waiter = lock.withLock { waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }

    /// The first stdout line containing `text`, once printed. Fails when the process exits
    /// first or nothing comes within `timeout`.
    func waitForLine(containing text: String, timeout: Duration = .seconds(60)) async throws -> String {
        try await withDeadline(timeout, "a line containing \(text)") {
            await self.wait { self.stdoutText.contains(text) || self.hasFinished }
        }
        guard let line = standardOutput.split(separator: "\n").first(where: { $0.contains(text) }) else {
            throw ProcessError("the server exited before printing \(text); stderr: \(standardError)")
        }
        return String(line)
    }

    /// Returns once stderr contains `text`; fails when the process finishes without it or
    /// nothing comes within `timeout`.
    func waitForError(containing text: String, timeout: Duration = .seconds(30)) async throws {
        try await withDeadline(timeout, "stderr to contain \(text)") {
            await self.wait { self.stderrText.contains(text) || self.hasFinished }
        }
        guard standardError.contains(text) else {
            throw ProcessError("the process finished without writing \(text) to stderr: \(standardError)")
        }
    }

    /// Exited, and all it wrote has been read. Read under the lock.
    private var hasFinished: Bool { exitStatus != nil && closedPipes == 2 }

    /// The exit status, once the process has exited and its output is complete.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        try await withDeadline(timeout, "the process to exit") {
            await self.wait { self.hasFinished }
        }
        return lock.withLock { exitStatus ?? -1 }
    }

    /// Runs `sendpromptly` with `arguments` to its end: status, stdout, stderr.
    static func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String, errors: String) {
        let process = try ServerProcess(arguments: arguments)
        let status = try await process.waitForExit(timeout: timeout)
        return (status, process.standardOutput, process.standardError)
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct ProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`, failing with a clear error when it has not finished within `timeout`.
func withDeadline<T: Sendable>(_ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()
        group.cancelAll()
        guard let first, let value = first else {
            throw ProcessError("timed out after \(timeout) waiting for \(what)")
        }
        return value
    }
}

/// A small JSON-over-HTTP client for the tests, on AsyncHTTPClient.
struct HTTP {
    static let client = HTTPClient.shared

    struct Reply {
        let status: Int
        let headers: HTTPHeaders
        let body: [String: Any]
    }

    /// Sends a JSON request; `client` and `timeout` can be chosen for load (see
    /// `Durability.loadClient`).
    static func send(
        _ method: HTTPMethod, _ url: String, bearer: String? = nil, json: String? = nil, idempotencyKey: String? = nil,
        client: HTTPClient = HTTP.client, timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 22)
        let object = body.readableBytes == 0
            ? [:] : (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:])
        return Reply(status: Int(response.status.code), headers: response.headers, body: object)
    }
}
