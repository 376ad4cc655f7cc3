import Atomics
import NIOCore

/// What to send and how fast.
public struct LoadPlan: Sendable {
    public var connections: Int
    /// Total requests per second over all connections; nil runs a closed loop.
    public var rate: Double?
    /// Stop starting events after this many; nil: only `duration` ends the run.
    public var events: Int?
    /// Stop starting events after this many seconds; nil: only `events` ends the run.
    public var duration: Double?
    public var mix: EventMix
    public var silentTimeoutSeconds: Int

    public init(connections: Int, rate: Double?, events: Int?, duration: Double?, mix: EventMix, silentTimeoutSeconds: Int) {
        self.connections = connections
        self.rate = rate
        self.events = events
        self.duration = duration
        self.mix = mix
        self.silentTimeoutSeconds = silentTimeoutSeconds
    }

    /// The pace of each connection: at a fixed rate, every connection carries an equal share.
    public var pace: Pace {
        guard let rate else { return .closedLoop }
        return .fixedRate(intervalNanoseconds: UInt64((Double(connections) * 1e9 / rate).rounded()))
    }
}

/// What became of one event, as the generator saw it.
public struct EventOutcome: Sendable, Equatable {
    public var index: Int
    public var kind: EventKind
    /// The receipt's status (0: no answer) and, on 202, the server's event id.
    public var receiptStatus: Int
    public var eventID: String?
    /// The result's status (0: no answer); nil when none was sent.
    public var resultStatus: Int?
    /// When the receipt's answer arrived (monotonic nanoseconds): its deadline is at most
    /// `silentTimeoutSeconds` later, since the server accepted it before answering.
    public var acknowledgedAt: UInt64

    public init(index: Int, kind: EventKind, receiptStatus: Int, eventID: String?, resultStatus: Int?, acknowledgedAt: UInt64) {
        self.index = index
        self.kind = kind
        self.receiptStatus = receiptStatus
        self.eventID = eventID
        self.resultStatus = resultStatus
        self.acknowledgedAt = acknowledgedAt
    }
}

/// Counters shared by every connection of a run and read by the progress display.
public final class LoadProgress: Sendable {
    /// The next event number to start.
    public let nextEvent = ManagedAtomic<Int>(0)
    public let completedRequests = ManagedAtomic<Int>(0)
    /// Answers other than 2xx, and requests without an answer.
    public let errors = ManagedAtomic<Int>(0)
    public init() {}
}

/// The load phase's outcome: every connection's recordings merged, every event's outcome in
/// event order.
public struct LoadOutcome: Sendable {
    public var recorder: LatencyRecorder
    public var outcomes: [EventOutcome]
    public var elapsedNanoseconds: UInt64
    /// Connections that ended on a transport error, with the error.
    public var connectionFailures: [String]
}

/// Drives the plan over open connections and returns once every connection has finished its
/// last event. Each connection runs entirely on its own event loop, by callbacks, with no task
/// hop per request. A connection that fails stops (the others go on); the failure is reported.
public enum LoadDriver {
    public static func run(
        _ plan: LoadPlan, requests: IngestRequests, connections: [HTTPConnection], progress: LoadProgress,
        clock: some MonotonicClock = SystemMonotonicClock()
    ) async throws -> LoadOutcome {
        let start = clock.nanoseconds()
        let end = plan.duration.map { start + UInt64($0 * 1e9) }
        let drivers = connections.enumerated().map { number, connection in
            var firstSlot = start
            if case .fixedRate(let interval) = plan.pace {
                firstSlot += interval * UInt64(number) / UInt64(connections.count)
            }
            return ConnectionDriver(
                connection: connection, plan: plan, requests: requests, progress: progress, clock: clock,
                schedule: SendSchedule(pace: plan.pace, start: firstSlot), start: start, end: end)
        }
        let finished = drivers.map { driver in
            driver.connection.eventLoop.flatSubmit {
                driver.startNextEvent()
                return driver.finished.futureResult
            }
        }
        for future in finished { try await future.get() }
        let elapsed = clock.nanoseconds() - start
        var recorder = LatencyRecorder(start: start)
        var outcomes: [EventOutcome] = []
        var failures: [String] = []
        // Every driver finished (its promise completed on its loop), so its state is settled.
        for driver in drivers {
            recorder.merge(driver.recorder)
            outcomes += driver.outcomes
            if let failure = driver.failure { failures.append(failure.description) }
        }
        outcomes.sort { $0.index < $1.index }
        return LoadOutcome(recorder: recorder, outcomes: outcomes, elapsedNanoseconds: elapsed, connectionFailures: failures)
    }
}

/// One connection's loop: receipt, then (unless silent) its result, then the next event. State
/// is touched on the connection's event loop only.
private final class ConnectionDriver<Clock: MonotonicClock>: @unchecked Sendable {
    let connection: HTTPConnection
    let finished: EventLoopPromise<Void>
    private(set) var recorder: LatencyRecorder
    private(set) var outcomes: [EventOutcome] = []
    private(set) var failure: ConnectionError?
    private let plan: LoadPlan
    private var requests: IngestRequests
    private let progress: LoadProgress
    private let clock: Clock
    private var schedule: SendSchedule
    private let end: UInt64?

    init(
        connection: HTTPConnection, plan: LoadPlan, requests: IngestRequests, progress: LoadProgress, clock: Clock,
        schedule: SendSchedule, start: UInt64, end: UInt64?
    ) {
        self.connection = connection
        self.plan = plan
        self.requests = requests
        self.progress = progress
        self.clock = clock
        self.schedule = schedule
        self.end = end
        recorder = LatencyRecorder(start: start)
        finished = connection.eventLoop.makePromise()
    }

    func startNextEvent() {
        if let end, clock.nanoseconds() >= end { return finished.succeed(()) }
        let index = progress.nextEvent.loadThenWrappingIncrement(ordering: .relaxed)
        if let limit = plan.events, index >= limit { return finished.succeed(()) }
        let kind = plan.mix.kind(ofEvent: index)
        requests.receipts[kind]!.fill(index)
        send(.receipt, requests.receipts[kind]!.buffer) { [self] receipt in
            var outcome = EventOutcome(
                index: index, kind: kind, receiptStatus: receipt?.status ?? 0,
                eventID: receipt.flatMap { $0.status == 202 ? ReceiptAnswer.eventID(in: $0.body) : nil },
                resultStatus: nil, acknowledgedAt: clock.nanoseconds())
            guard kind != .silent, receipt?.status == 202 else { return finish(outcome) }
            let result: ByteBuffer
            if kind == .success {
                requests.successResult.fill(index)
                result = requests.successResult.buffer
            } else {
                requests.failedResult.fill(index)
                result = requests.failedResult.buffer
            }
            send(.result, result) { [self] answer in
                outcome.resultStatus = answer?.status ?? 0
                finish(outcome)
            }
        }
    }

    private func finish(_ outcome: EventOutcome) {
        outcomes.append(outcome)
        if failure != nil { return finished.succeed(()) }
        startNextEvent()
    }

    /// Sends at the schedule's next instant and hands over the response (nil: none came).
    private func send(_ endpoint: Endpoint, _ bytes: ByteBuffer, then: @escaping (HTTPResponse?) -> Void) {
        let now = clock.nanoseconds()
        let intended = schedule.nextRequest(freeAt: now)
        if intended > now {
            connection.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(intended)) { [self] in
                transmit(endpoint, bytes, intended: intended, then: then)
            }
        } else {
            transmit(endpoint, bytes, intended: intended, then: then)
        }
    }

    private func transmit(_ endpoint: Endpoint, _ bytes: ByteBuffer, intended: UInt64, then: @escaping (HTTPResponse?) -> Void) {
        connection.send(bytes) { [self] result in
            let completed = clock.nanoseconds()
            progress.completedRequests.wrappingIncrement(ordering: .relaxed)
            switch result {
            case .success(let response):
                recorder.record(endpoint, status: response.status, intended: intended, completed: completed)
                if !(200..<300).contains(response.status) { progress.errors.wrappingIncrement(ordering: .relaxed) }
                then(response)
            case .failure(let error):
                recorder.record(endpoint, status: 0, intended: intended, completed: completed)
                progress.errors.wrappingIncrement(ordering: .relaxed)
                failure = error
                then(nil)
            }
        }
    }
}
