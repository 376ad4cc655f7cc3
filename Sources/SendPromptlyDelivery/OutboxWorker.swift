import Logging
import ServiceLifecycle
import SendPromptlyCore
import SendPromptlyEngine

/// Sends one channel's deliveries out of the engine's outbox, at least once each: for every
/// delivery with an attempt due, one task carries it through all its attempts, paced per
/// project, each attempt reported to the engine, which journals it and puts it on the
/// incident's timeline.
///
/// Durable by construction: what is due lives in the engine's state, not here. On start the
/// worker resumes every due delivery it finds there, and then follows the engine's
/// ``EngineEffect/deliveryDue(_:)`` hints. An attempt cut short by a crash or a shutdown was
/// never recorded, so it is sent again after the restart: receivers de-duplicate (a repair
/// endpoint by `replay_id`, a mail reader by eye).
///
/// Nothing is sent before the state change that queued it is durable. At graceful shutdown
/// the worker stops waiting for due times, cancels attempts in flight (unrecorded, so resumed
/// later) and returns.
public actor OutboxWorker<Channel: DeliveryChannel>: Service {
    private let engine: Engine
    private let channel: Channel
    private let pacing: OutboxPacing
    private let logger: Logger
    /// Deliveries with a task: one task per delivery carries it through all its attempts.
    private var delivering: Set<DeliveryKey> = []
    private var buckets: [ProjectID: TokenBucket] = [:]
    private var random = SystemRandomNumberGenerator()
    private var slots: AttemptSlots
    /// Each project's own share of the slots, so one slow receiver cannot take them all.
    private var projectSlots: [ProjectID: AttemptSlots] = [:]

    private struct DeliveryKey: Hashable {
        let incidentID: IncidentID
        let item: DeliveryItem
    }

    public init(engine: Engine, channel: Channel, pacing: OutboxPacing, logger: Logger) {
        self.engine = engine
        self.channel = channel
        self.pacing = pacing
        self.logger = logger
        self.slots = AttemptSlots(count: pacing.maximumConcurrentAttempts)
    }

    public func run() async throws {
        let effects = engine.subscribeToEffects()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for ticket in await self.engine.dueDeliveries() where await self.claim(ticket) {
                    group.addTask { await self.deliver(ticket) }
                }
                for await effect in effects {
                    guard case .deliveryDue(let ticket) = effect, await self.claim(ticket) else { continue }
                    group.addTask { await self.deliver(ticket) }
                }
            }
        }
    }

    /// Claims `ticket`'s delivery for a new task; false when it is another channel's, or a
    /// task already carries it (its own retries come back here as hints).
    private func claim(_ ticket: DeliveryTicket) -> Bool {
        channel.accepts(ticket) && delivering.insert(DeliveryKey(incidentID: ticket.incidentID, item: ticket.item)).inserted
    }

    /// Sends the delivery's attempts until it is delivered, given up, or no longer waiting.
    private func deliver(_ first: DeliveryTicket) async {
        defer { delivering.remove(DeliveryKey(incidentID: first.incidentID, item: first.item)) }
        var ticket = first
        do {
            while true {
                try await sleep(until: ticket.dueAt)
                try await engine.waitUntilDurable()
                try await waitForTurn(of: ticket.projectID)
                // Read after the wait for a turn, which can be long (a bulk reprocess is paced):
                // what was due may have been resolved or superseded meanwhile.
                guard let (work, number) = await channel.work(for: ticket, engine: engine) else {
                    endTurn(of: ticket.projectID)
                    return
                }
                let startedAt = engine.clock.now()
                let result = await channel.send(work, attemptNumber: number, startedAt: startedAt)
                endTurn(of: ticket.projectID)
                // An attempt cut short by shutdown is not an answer: it is sent again on restart.
                // One that got through is recorded, so that it is not sent twice.
                if Task.isCancelled, result.verdict != .delivered { throw CancellationError() }
                let report = DeliveryReport(
                    incidentID: ticket.incidentID, item: ticket.item,
                    attempt: DeliveryAttempt(number: number, at: startedAt, statusCode: result.statusCode, error: result.error),
                    disposition: disposition(of: result.verdict, attempt: number))
                logger.info("delivery attempt", metadata: [
                    "channel": "\(channel.name)", "incident_id": "\(ticket.incidentID)", "item": "\(ticket.item)",
                    "attempt": "\(number)", "status": "\(result.statusCode.map(String.init) ?? "-")", "error": "\(result.error ?? "-")",
                ])
                _ = try await engine.execute(.recordDeliveryAttempt(ticket.projectID, report))
                guard case .retry(let dueAt) = report.disposition else { return }
                ticket = ticket.due(at: dueAt)
            }
        } catch is CancellationError {
            return
        } catch {
            // The journal failed (the process is about to stop); the delivery stays due in the
            // state and resumes on the next start.
            logger.error("delivery stopped", metadata: ["channel": "\(channel.name)", "incident_id": "\(ticket.incidentID)", "error": "\(error)"])
        }
    }

    private func disposition(of verdict: AttemptVerdict, attempt number: Int) -> DeliveryDisposition {
        switch verdict {
        case .delivered: return .delivered
        case .halt: return .halted
        case .retry(let retryAfter):
            guard let delay = pacing.retrySchedule.delay(after: number, retryAfterMilliseconds: retryAfter, using: &random) else {
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

    /// Waits for the project's rate limit, then for one of the project's slots, then for one of
    /// all the slots. Shutdown during the wait gives back what was taken and throws.
    private func waitForTurn(of project: ProjectID) async throws {
        let now = engine.clock.now()
        var bucket = buckets[project] ?? TokenBucket(
            capacity: pacing.attemptsPerSecondPerProject, ratePerSecond: pacing.attemptsPerSecondPerProject, now: now)
        let wait = bucket.reserve(at: now)
        buckets[project] = bucket
        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
        await withCheckedContinuation { continuation in
            projectSlots[project, default: AttemptSlots(count: pacing.maximumConcurrentAttemptsPerProject)].takeOrQueue(continuation)
        }
        await withCheckedContinuation { slots.takeOrQueue($0) }
        if Task.isCancelled {
            endTurn(of: project)
            throw CancellationError()
        }
    }

    private func endTurn(of project: ProjectID) {
        slots.give()
        projectSlots[project]?.give()
        if projectSlots[project]?.isIdle(capacity: pacing.maximumConcurrentAttemptsPerProject) == true {
            projectSlots[project] = nil
        }
    }
}
