import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import XCTest

/// One language of the client examples in `examples/`: where its programs are and how to run them.
enum ExampleLanguage: String, CaseIterable, Sendable {
    case node, python, php, swift

    /// `examples/` of this package.
    static let examplesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    private var interpreterName: String? {
        switch self {
        case .node: "node"
        case .python: "python3"
        case .php: "php"
        case .swift: nil
        }
    }

    /// The program that runs this language's examples. An interpreter missing from PATH skips
    /// the language's tests; the Swift example is built with the package, so its absence fails.
    func executable() throws -> URL {
        guard let name = interpreterName else {
            let binary = ServerProcess.binary.deletingLastPathComponent().appendingPathComponent("RepairEndpointExample")
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                throw ProcessError("RepairEndpointExample is not built next to \(ServerProcess.binary.path); run `swift build` first")
            }
            return binary
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw XCTSkip("`\(name)` is not on PATH, so the \(rawValue) example is not tested here (install it to run these tests)")
    }

    func path(_ relative: String) -> String {
        Self.examplesDirectory.appendingPathComponent(relative).path
    }

    /// The arguments that run the signals demo for `providerEventID`.
    func signalsArguments(_ providerEventID: String) -> [String] {
        switch self {
        case .node: [path("node/signals.js"), providerEventID]
        case .python: [path("python/signals.py"), providerEventID]
        case .php: [path("php/signals.php"), providerEventID]
        case .swift: ["signals", providerEventID]
        }
    }

    /// Environment every example run gets besides its configuration.
    static let quietEnvironment = ["PYTHONDONTWRITEBYTECODE": "1", "LOG_LEVEL": "warning"]
}

/// A language's repair endpoint running as a child process, on a free loopback port.
final class ExampleEndpoint: @unchecked Sendable {
    let language: ExampleLanguage
    let process: ServerProcess
    let baseURL: String

    private init(language: ExampleLanguage, process: ServerProcess, baseURL: String) {
        self.language = language
        self.process = process
        self.baseURL = baseURL
    }

    /// Starts the endpoint with `environment` and waits until it listens: node, python and
    /// swift take `PORT=0` and print `listening on http://127.0.0.1:<port>`; `php -S` needs its
    /// port on the command line and says `Development Server (http://...) started` on stderr.
    static func start(_ language: ExampleLanguage, environment: [String: String]) async throws -> ExampleEndpoint {
        let executable = try language.executable()
        var environment = environment.merging(ExampleLanguage.quietEnvironment) { $1 }
        switch language {
        case .php:
            let port = try freePort()
            let process = try ServerProcess(
                arguments: ["-S", "127.0.0.1:\(port)", language.path("php/repair.php")],
                environment: environment, executable: executable)
            try await process.waitForError(containing: "(http://127.0.0.1:\(port)) started")
            return ExampleEndpoint(language: language, process: process, baseURL: "http://127.0.0.1:\(port)")
        case .node, .python, .swift:
            environment["PORT"] = "0"
            let arguments = switch language {
            case .node: [language.path("node/repair.js")]
            case .python: [language.path("python/repair.py")]
            default: [String]()
            }
            let process = try ServerProcess(arguments: arguments, environment: environment, executable: executable)
            let line = try await process.waitForLine(containing: "listening on http://127.0.0.1:")
            let url = String(line[line.range(of: "http://")!.lowerBound...]).trimmingCharacters(in: .whitespaces)
            return ExampleEndpoint(language: language, process: process, baseURL: url)
        }
    }

    var repairURL: String { "\(baseURL)/sendpromptly/repair" }

    /// Lines the endpoint printed on stdout so far.
    var lines: [Substring] { process.standardOutput.split(separator: "\n") }

    /// Stops the endpoint (SIGTERM) and waits for it to exit.
    func stop() async throws {
        process.signal(SIGTERM)
        _ = try await process.waitForExit(timeout: .seconds(30))
    }

    /// A free TCP port on 127.0.0.1: bound to port 0, read, closed.
    static func freePort() throws -> Int {
        let socket = try LoopbackSocket.listening()
        defer { socket.close() }
        return socket.port
    }
}

/// A signed repair callback, as SendPromptly sends it (section 5 of the wire contract).
struct SignedCallback {
    var body: [UInt8]
    var timestamp: String
    var nonce: String
    var signature: String

    /// A `reprocess.requested` body for `replayID`, with every field of the contract.
    static func body(replayID: String, eventID: String, attempt: Int = 1) -> [UInt8] {
        Array("""
        {"type":"reprocess.requested","replay_id":"\(replayID)","attempt":\(attempt),"incident_id":"inc_01KB7Z","event_id":"\(eventID)",\
        "project_id":"prj_01KB7Z","mode":"test","provider":"stripe","provider_event_id":"evt_1Q2w3E","event_type":"checkout.session.completed",\
        "effect_type":"access_unlock","internal_reference":"user_42","occurred_at":"2026-11-29T06:30:00.000Z","incident_reason":"failed",\
        "last_error":{"code":"db_timeout","message":"entitlements table locked"},"requested_at":"2026-11-29T06:31:00.000Z"}
        """.utf8)
    }

    /// `body` signed with `secret` at `now + offset` seconds, with a new nonce.
    static func signed(_ body: [UInt8], secret: String, offset: Int = 0) -> SignedCallback {
        let timestamp = String(Int(Date().timeIntervalSince1970) + offset)
        let nonce = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return SignedCallback(
            body: body, timestamp: timestamp, nonce: nonce,
            signature: "v1=" + sign(body, timestamp: timestamp, nonce: nonce, secret: secret))
    }

    /// hex(HMAC-SHA256(secret, timestamp + "." + nonce + "." + body)).
    static func sign(_ body: [UInt8], timestamp: String, nonce: String, secret: String) -> String {
        let message = Array("\(timestamp).\(nonce).".utf8) + body
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// The three headers; `omitting` leaves one out.
    func headers(omitting omitted: String? = nil) -> [(String, String)] {
        [
            ("X-SendPromptly-Timestamp", timestamp),
            ("X-SendPromptly-Nonce", nonce),
            ("X-SendPromptly-Signature", signature),
        ].filter { $0.0 != omitted }
    }

    /// POSTs this callback to `url`; answers the status and the JSON body.
    func send(to url: String, omitting omitted: String? = nil) async throws -> (status: Int, body: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers(omitting: omitted) { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data((try await response.body.collect(upTo: 1 << 20)).readableBytesView)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (Int(response.status.code), object)
    }
}

/// A stand-in for SendPromptly's `POST /api/v1/result`: records what the repair endpoints report
/// and answers 200. (The real server only accepts a `replay_id` it issued, and the tests sign
/// their own callbacks.) A plain blocking socket on one thread: a handful of requests, one at a
/// time, each on its own connection.
final class ResultSink: @unchecked Sendable {
    struct Report {
        let method: String
        let path: String
        /// Header names in lower case.
        let headers: [String: String]
        let body: [String: Any]
    }

    let url: String
    private let socket: LoopbackSocket
    private let lock = NSLock()
    private var received: [Report] = []

    init() throws {
        socket = try LoopbackSocket.listening()
        url = "http://127.0.0.1:\(socket.port)"
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var reports: [Report] { lock.withLock { received } }

    func reports(for replayID: String) -> [Report] {
        reports.filter { $0.body["replay_id"] as? String == replayID }
    }

    /// Stops accepting: the thread's `accept` fails and it ends.
    func close() { socket.close() }

    private func serve() {
        while let connection = socket.accept() {
            if let report = Self.read(connection) {
                let answer = Self.answer(to: report)
                lock.withLock { received.append(report) }
                _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            Glibc.close(connection)
        }
    }

    /// Reads one HTTP/1.1 request with a Content-Length body; nil when it is cut short.
    private static func read(_ connection: Int32) -> Report? {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let separator = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        var length = 0
        while true {
            if headerEnd == nil, let end = bytes.firstRange(of: separator)?.upperBound {
                headerEnd = end
                let head = String(decoding: bytes[..<end], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
            if let headerEnd, bytes.count >= headerEnd + length { break }
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            bytes += chunk[..<count]
        }
        let end = headerEnd!
        let lines = String(decoding: bytes[..<(end - 4)], as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let body = (try? JSONSerialization.jsonObject(with: Data(bytes[end..<(end + length)]))) as? [String: Any] ?? [:]
        return Report(
            method: requestLine.first.map(String.init) ?? "", path: requestLine.dropFirst().first.map(String.init) ?? "",
            headers: headers, body: body)
    }

    /// What SendPromptly answers to a result (section 3).
    private static func answer(to report: Report) -> [UInt8] {
        let status = report.body["status"] as? String == "success" ? "succeeded" : "failed"
        let json = #"{"event_id":"\#(report.body["event_id"] as? String ?? "")","status":"\#(status)","incident_id":null,"incident_status":null}"#
        return Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\nConnection: close\r\n\r\n\(json)".utf8)
    }
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel chose.
struct LoopbackSocket: Sendable {
    let descriptor: Int32
    let port: Int

    static func listening() throws -> LoopbackSocket {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ProcessError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw ProcessError("cannot listen on 127.0.0.1: errno \(errno)")
        }
        return LoopbackSocket(descriptor: descriptor, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    /// The next connection; nil once the socket is closed.
    func accept() -> Int32? {
        while true {
            let connection = Glibc.accept(descriptor, nil, nil)
            if connection >= 0 { return connection }
            if errno != EINTR { return nil }
        }
    }

    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
    }
}

/// Waits until `condition` holds (see ``eventually(_:timeout:_:)-value``).
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    try await eventually(what, timeout: timeout) { condition() ? () : nil }
}

/// The first value `probe` answers, polled every 50 ms; fails after `timeout`, naming `what`.
/// For states that have no event to wait for: what another process reports, or the server's
/// state as its read API shows it (alerts and callbacks happen in the background).
func eventually<Value>(_ what: String, timeout: Duration = .seconds(30), _ probe: () async throws -> Value?) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else { throw ProcessError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}
