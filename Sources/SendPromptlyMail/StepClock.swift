import NIOCore
import Synchronization

/// Bounds each step of a conversation: when a step outlives the timeout, the connection is
/// closed, which ends whatever the step waits for, and the step fails with
/// `SMTPError.timeout`. Every later step fails the same way, naming the step that ran out.
final class StepClock: Sendable {
    private let channel: any Channel
    let timeout: Duration
    private let expired = Mutex<String?>(nil)

    init(channel: any Channel, timeout: Duration) {
        self.channel = channel
        self.timeout = timeout
    }

    /// Runs `body` as the step `name`.
    func run<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        try Task.checkCancellation()
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { [self] in
            expired.withLock { $0 = $0 ?? name }
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await body()
        } catch {
            if let step = expired.withLock({ $0 }) { throw SMTPError.timeout(step: step, after: timeout) }
            throw error
        }
    }
}
