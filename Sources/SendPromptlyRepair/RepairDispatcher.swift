import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SendPromptlyCore
import SendPromptlyEngine

/// Sends repair callbacks: for every replay with an attempt due, a signed POST to the project's
/// repair URL, retried by the schedule, each attempt reported to the engine, which journals it
/// and puts it on the incident's timeline.
///
/// Durable by construction: what is due lives in the engine's state (a replay in phase
/// `sending` with its due time), not here. On start the dispatcher resumes every due replay it
/// finds there, and then follows the engine's ``EngineEffect/replayDue(_:)`` hints. An attempt
/// cut short by a crash or a shutdown was never recorded, so it is sent again after the restart
/// with a new nonce and the same `replay_id`: delivery is at least once, and receivers
/// de-duplicate by `replay_id`.
///
/// Nothing is sent before the request that scheduled it is durable. At graceful shutdown the
/// dispatcher stops waiting for due times and cancels attempts in flight (unrecorded, so
/// resumed later), and returns.
public actor RepairDispatcher: Service {
    private let engine: Engine
    private let client: HTTPClient
    private let settings: RepairSettings
    private let logger: Logger
    /// Replays with a delivery task: one task per replay carries it through all its attempts.
    private var delivering: Set<ReplayID> = []
    private var buckets: [ProjectID: TokenBucket] = [:]
    private var random = SystemRandomNumberGenerator()
    private var freeSlots: Int
    private var slotWaiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameter client: an HTTP client that does not follow redirects (see
    ///   ``makeHTTPClient()``); the caller shuts it down after ``run()`` returns.
    public init(engine: Engine, client: HTTPClient, settings: RepairSettings, logger: Logger) {
        self.engine = engine
        self.client = client
        self.settings = settings
        self.logger = logger
        self.freeSlots = settings.maximumConcurrentCallbacks
    }

    /// The client the dispatcher expects: redirects are answers, never followed.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        let effects = engine.subscribeToEffects()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for ticket in await self.engine.dueReplays() where await self.claim(ticket.replayID) {
                    group.addTask { await self.deliver(ticket) }
                }
                for await effect in effects {
                    guard case .replayDue(let ticket) = effect, await self.claim(ticket.replayID) else { continue }
                    group.addTask { await self.deliver(ticket) }
                }
            }
        }
    }

    /// Claims `replayID` for a new delivery task; false when one already carries it (its own
    /// retries come back here as hints).
    private func claim(_ replayID: ReplayID) -> Bool {
        delivering.insert(replayID).inserted
    }

    /// Sends the replay's attempts until it is delivered, halted, exhausted, or no longer
    /// waiting (superseded, or its incident resolved).
    private func deliver(_ first: ReplayTicket) async {
        defer { delivering.remove(first.replayID) }
        var ticket = first
        do {
            while true {
                try await sleep(until: ticket.dueAt)
                try await engine.waitUntilDurable()
                guard let delivery = await engine.delivery(for: ticket) else { return }
                try await waitForTurn(of: ticket.projectID)
                let report = await attempt(delivery, ticket: ticket)
                releaseSlot()
                // An attempt cut short by shutdown is not an answer: it is sent again on restart.
                try Task.checkCancellation()
                _ = try await engine.execute(.recordReplayAttempt(ticket.projectID, report))
                guard case .retry(let dueAt) = report.disposition else { return }
                ticket = ReplayTicket(projectID: ticket.projectID, incidentID: ticket.incidentID, replayID: ticket.replayID, dueAt: dueAt)
            }
        } catch is CancellationError {
            return
        } catch {
            // The journal failed (the process is about to stop) or the attempt's report was
            // refused; the replay stays due in the state and resumes on the next start.
            logger.error("repair delivery stopped", metadata: ["replay_id": "\(ticket.replayID)", "error": "\(error)"])
        }
    }

    /// One POST of the callback, classified. Never throws: every failure is an attempt result.
    private func attempt(_ delivery: ReplayDelivery, ticket: ReplayTicket) async -> ReplayAttemptReport {
        let startedAt = engine.clock.now()
        let number = delivery.attemptNumber
        func report(status: Int?, error: String?, _ verdict: AttemptVerdict) -> ReplayAttemptReport {
            let attempt = Replay.Attempt(number: number, at: startedAt, statusCode: status, error: error)
            logger.info("repair callback attempt", metadata: [
                "replay_id": "\(ticket.replayID)", "attempt": "\(number)", "status": "\(status.map(String.init) ?? "-")",
                "error": "\(error ?? "-")",
            ])
            return ReplayAttemptReport(
                incidentID: ticket.incidentID, replayID: ticket.replayID, attempt: attempt, disposition: disposition(of: verdict, attempt: number))
        }
        guard let repairURL = delivery.repairURL else {
            return report(status: nil, error: "the project has no repair URL", .halt)
        }
        guard let url = URL(string: repairURL), let host = url.host else {
            return report(status: nil, error: "the repair URL is not a URL", .halt)
        }
        do {
            try await settings.addressPolicy.check(host: host)
        } catch let refusal as RepairAddressPolicy.Refusal {
            return report(status: nil, error: "refused: \(refusal)", .halt)
        } catch {
            return report(status: nil, error: "address check failed: \(error)", .retry(retryAfterMilliseconds: nil))
        }
        let callback = RepairCallback(delivery: delivery, timestamp: startedAt.millisecondsSinceEpoch / 1000)
        var request = HTTPClientRequest(url: repairURL)
        request.method = .POST
        for header in callback.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: callback.body))
        do {
            let response = try await client.execute(request, timeout: TimeAmount(settings.timeout))
            // Read (and drop) the answer, so that the connection can be reused.
            for try await _ in response.body {}
            let status = Int(response.status.code)
            let verdict = AttemptVerdict(statusCode: status, retryAfter: response.headers.first(name: "Retry-After"), now: Date())
            return report(status: status, error: (300..<400).contains(status) ? "redirect not followed" : nil, verdict)
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            return report(status: nil, error: "timed out after \(settings.timeout)", .retry(retryAfterMilliseconds: nil))
        } catch {
            return report(status: nil, error: "network error: \(String(describing: error).prefix(200))", .retry(retryAfterMilliseconds: nil))
        }
    }

    private func disposition(of verdict: AttemptVerdict, attempt number: Int) -> ReplayAttemptReport.Disposition {
        switch verdict {
        case .delivered: return .delivered
        case .halt: return .halted
        case .retry(let retryAfter):
            guard let delay = settings.retrySchedule.delay(after: number, retryAfterMilliseconds: retryAfter, using: &random) else {
                return .exhausted
            }
            return .retry(at: engine.clock.now().adding(milliseconds: delay))
        }
    }

    private func sleep(until instant: Timestamp) async throws {
        let delay = instant.millisecondsSinceEpoch - engine.clock.now().millisecondsSinceEpoch
        if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        try Task.checkCancellation()
    }

    /// Waits for the project's rate limit, then for a free slot among the concurrent callbacks.
    private func waitForTurn(of project: ProjectID) async throws {
        let now = engine.clock.now()
        var bucket = buckets[project] ?? TokenBucket(
            capacity: settings.callbacksPerSecondPerProject, ratePerSecond: settings.callbacksPerSecondPerProject, now: now)
        let wait = bucket.reserve(at: now)
        buckets[project] = bucket
        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
        if freeSlots > 0 {
            freeSlots -= 1
        } else {
            await withCheckedContinuation { slotWaiters.append($0) }
        }
    }

    private func releaseSlot() {
        if slotWaiters.isEmpty {
            freeSlots += 1
        } else {
            slotWaiters.removeFirst().resume()
        }
    }
}
