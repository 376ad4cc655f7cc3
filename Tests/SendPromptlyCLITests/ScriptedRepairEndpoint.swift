import Crypto
import Foundation
import Hummingbird
import Logging
import Synchronization
import XCTest

/// A receiver of the server's POSTs that answers by a script (a merchant's repair endpoint, a
/// Slack webhook): a real HTTP server on loopback that records every request it receives.
final class ScriptedRepairEndpoint: Sendable {
    enum Answer: Sendable {
        case status(Int, location: String? = nil, retryAfter: String? = nil)
        /// Reads the request and never answers (until the endpoint stops).
        case hang
        /// Answers 200 with a body that starts and never ends.
        case trickle
    }

    struct Callback: Sendable {
        let headers: [String: String]
        let body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var timestamp: String { headers["x-sendpromptly-timestamp"] ?? "" }
        var nonce: String { headers["x-sendpromptly-nonce"] ?? "" }
        var signatures: [String] {
            (headers["x-sendpromptly-signature"] ?? "").split(separator: " ").map(String.init)
        }

        /// `v1=<hex>` of this callback under `secret`, as a receiver computes it.
        func expectedSignature(secret: String) -> String {
            var message = Data("\(timestamp).\(nonce).".utf8)
            message.append(body)
            let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
            return "v1=" + code.map { String(format: "%02x", $0) }.joined()
        }
    }

    private struct State {
        var answers: [Answer]
        var callbacks: [Callback] = []
        var waiters: [UUID: (count: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    }

    private let state: Mutex<State>
    private let fallback: Answer
    private let task = Mutex<Task<Void, any Error>?>(nil)

    /// Answers `answers` in order, then `fallback` to every later callback.
    init(answers: [Answer], then fallback: Answer = .status(200)) {
        state = Mutex(State(answers: answers))
        self.fallback = fallback
    }

    /// Starts listening on a free loopback port; answers the URL of `path`.
    func start(path: String = "/repair") async throws -> String {
        let router = Router()
        router.post(RouterPath(path)) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let answer = self.record(Callback(headers: headers, body: Data(buffer: body)))
            switch answer {
            case .status(let code, let location, let retryAfter):
                var response = Response(status: .init(code: code))
                response.headers[.location] = location
                response.headers[.retryAfter] = retryAfter
                return response
            case .hang:
                try await Task.sleep(for: .seconds(3600))
                return Response(status: .ok)
            case .trickle:
                return Response(status: .ok, body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "{"))
                    try await Task.sleep(for: .seconds(3600))
                    try await writer.finish(nil)
                })
            }
        }
        let (running, port) = try await serveOnLoopback(router, name: "the repair endpoint")
        task.withLock { $0 = running }
        return "http://127.0.0.1:\(port)\(path)"
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    private func record(_ callback: Callback) -> Answer {
        let (answer, ready) = state.withLock { state -> (Answer, [CheckedContinuation<Void, Never>]) in
            state.callbacks.append(callback)
            let answer = state.answers.isEmpty ? fallback : state.answers.removeFirst()
            let count = state.callbacks.count
            let met = state.waiters.filter { $0.value.count <= count }
            for id in met.keys { state.waiters[id] = nil }
            return (answer, met.values.map(\.continuation))
        }
        ready.forEach { $0.resume() }
        return answer
    }

    var callbacks: [Callback] { state.withLock { $0.callbacks } }

    /// The callbacks received, once there are at least `count`; fails after `timeout`.
    func waitForCallbacks(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [Callback] {
        try await withDeadline(timeout, "\(count) repair callbacks (got \(callbacks.count))") {
            let id = UUID()
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let met = self.state.withLock { state in
                        if state.callbacks.count >= count || Task.isCancelled { return true }
                        state.waiters[id] = (count, continuation)
                        return false
                    }
                    if met { continuation.resume() }
                }
            } onCancel: {
                self.state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
            }
        }
        return callbacks
    }

    deinit {
        task.withLock { $0?.cancel() }
    }
}

/// Runs `router` on a free loopback port until the returned task is cancelled; answers the task
/// and the port once it listens. `name` says what failed to start.
func serveOnLoopback(_ router: Router<BasicRequestContext>, name: String) async throws -> (Task<Void, any Error>, Int) {
    let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: name)
    logger.logLevel = .critical
    let application = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
    let task = Task { try await application.runService(gracefulShutdownSignals: []) }
    var ports = portStream.makeAsyncIterator()
    guard let port = await ports.next() else { throw ProcessError("\(name) did not start") }
    return (task, port)
}
