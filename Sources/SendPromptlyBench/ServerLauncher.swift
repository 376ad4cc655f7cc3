import Foundation

/// A `sendpromptly serve` child process on a free port, a fresh temporary data directory and a
/// random admin token, for a run that was not given `--url`.
///
/// `start` returns once the server printed `sendpromptly ready` (recovery finished). `stop`
/// sends SIGTERM, waits for the exit and removes the data directory; the server's stderr goes
/// to a file in that directory, quoted when it fails to start.
public final class ServerLauncher: @unchecked Sendable {
    public let baseURL: String
    public let host: String
    public let port: Int
    public let adminToken: String
    public let process: Process
    private let directory: URL

    private init(process: Process, directory: URL, host: String, port: Int, adminToken: String) {
        self.process = process
        self.directory = directory
        self.host = host
        self.port = port
        self.adminToken = adminToken
        baseURL = "http://\(host):\(port)"
    }

    /// Starts `executable serve` with `arguments` added (e.g. `--durability batch`); fails
    /// with the server's stderr when it exits or is not ready within `startupTimeout`.
    public static func start(
        executable: String, arguments: [String], startupTimeout: Duration = .seconds(120)
    ) async throws -> ServerLauncher {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let adminToken = "bench-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", directory.appendingPathComponent("data").path,
            "--admin-token", adminToken, "--log-level", "warning",
        ] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SENDPROMPTLY_") }
        let output = Pipe()
        let errorLog = directory.appendingPathComponent("server.stderr")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorLog)
        process.standardInput = FileHandle.nullDevice
        let lines = LineReader(output.fileHandleForReading)
        try process.runWithNoSignalsBlocked()

        func failure(_ what: String) -> BenchError {
            if process.isRunning { process.terminate() }
            let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: directory)
            return BenchError("the server \(what); its stderr: \(errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        // The two lines come in either order: recovery may finish before the port is bound.
        let marker = "sendpromptly listening on http://"
        let timeout = Task {
            try await Task.sleep(for: startupTimeout)
            lines.abandon()
        }
        let printed = await lines.wait { $0.contains("sendpromptly ready") && $0.contains { $0.hasPrefix(marker) } }
        timeout.cancel()
        guard let printed else {
            throw failure(process.isRunning ? "did not get ready within \(startupTimeout)" : "exited before it was ready")
        }
        guard let listening = printed.first(where: { $0.hasPrefix(marker) }), let colon = listening.lastIndex(of: ":"),
              let port = Int(listening[listening.index(after: colon)...])
        else { throw failure("printed an address bench cannot read") }
        let host = String(listening[listening.index(listening.startIndex, offsetBy: marker.count)..<colon])
        return ServerLauncher(process: process, directory: directory, host: host, port: port, adminToken: adminToken)
    }

    /// SIGTERM, the exit awaited, the data directory removed. Returns the exit status.
    @discardableResult
    public func stop() async -> Int32 {
        process.terminate()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.process.waitUntilExit()
                continuation.resume()
            }
        }
        try? FileManager.default.removeItem(at: directory)
        return process.terminationStatus
    }

    /// The server's CPU time so far (user + system, seconds) from /proc; nil where unreadable.
    public var cpuSeconds: Double? { ProcessCPU.seconds(of: process.processIdentifier) }
}

/// Lines of a child's output as they come, read by a thread of its own (blocking reads end
/// with the child's exit, which a readability handler on Linux does not always report).
private final class LineReader: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = ""
    /// End of output, or `abandon()`: waiters get nil from now on unless their condition holds.
    private var ended = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ handle: FileHandle) {
        Thread {
            while true {
                let data = handle.availableData
                self.take(data)
                if data.isEmpty { return }
            }
        }.start()
    }

    private func take(_ data: Data) {
        let waiting: [CheckedContinuation<Void, Never>] = lock.withLock {
            if data.isEmpty {
                ended = true
            } else {
                partial += String(decoding: data, as: UTF8.self)
                while let newline = partial.firstIndex(of: "\n") {
                    lines.append(String(partial[..<newline]))
                    partial = String(partial[partial.index(after: newline)...])
                }
            }
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume() }
    }

    /// Stops every wait: those whose condition does not hold yet return nil.
    func abandon() {
        take(Data())
    }

    /// All lines so far once `condition` holds for them; nil when the output ends (or the
    /// wait is abandoned) first.
    func wait(until condition: ([String]) -> Bool) async -> [String]? {
        while true {
            let (met, ended, seen): ([String]?, Bool, Int) = lock.withLock {
                (condition(lines) ? lines : nil, self.ended, lines.count)
            }
            if let met { return met }
            if ended { return nil }
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = lock.withLock {
                    if lines.count > seen || self.ended { return true }
                    waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
