import SendPromptlyCore
import SendPromptlyEngine

/// One kind of delivery out of the engine's outbox (repair callbacks, email alerts, Slack
/// alerts): how to read what an attempt sends, and how to send it. The ``OutboxWorker``
/// around it does the rest: resuming, scheduling, pacing, retries and recording.
public protocol DeliveryChannel: Sendable {
    /// What one attempt sends, read from the engine's state when the attempt is due.
    associatedtype Work: Sendable

    /// A word for logs (`repair`, `email`, `slack`).
    var name: String { get }

    /// Whether this channel sends `ticket`'s delivery; the worker leaves others alone.
    func accepts(_ ticket: DeliveryTicket) -> Bool

    /// What the next attempt of `ticket` sends and its number; nil when the delivery no longer
    /// waits for one (sent meanwhile, superseded, resolved), which ends its task.
    func work(for ticket: DeliveryTicket, engine: Engine) async -> (work: Work, attemptNumber: Int)?

    /// Sends one attempt. Never throws: every failure is an answer, transient or not.
    /// Cancellation (shutdown) may cut it short; the worker then records nothing.
    func send(_ work: Work, attemptNumber: Int, startedAt: Timestamp) async -> AttemptResult
}

/// How an attempt went, as the channel saw it.
public struct AttemptResult: Sendable, Equatable {
    /// The receiver's status (HTTP status, SMTP reply code); nil when none came.
    public let statusCode: Int?
    /// What went wrong, or a note on success; nil when the status says it all.
    public let error: String?
    public let verdict: AttemptVerdict

    public init(statusCode: Int?, error: String?, verdict: AttemptVerdict) {
        self.statusCode = statusCode
        self.error = error
        self.verdict = verdict
    }
}
