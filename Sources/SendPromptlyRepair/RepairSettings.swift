import SendPromptlyCore
import SendPromptlyDelivery

/// How repair callbacks are sent. Defaults are the wire contract's.
public struct RepairSettings: Sendable {
    /// One attempt's limit, connection to the last byte of the answer.
    public var timeout: Duration = .seconds(10)
    public var addressPolicy = AddressPolicy()!
    /// The retry schedule of section 5; 10 callbacks per second to one project's endpoint
    /// (what paces a bulk reprocess); 64 in flight at once, 16 of them to one project.
    public var pacing = OutboxPacing(
        retrySchedule: .repairCallbacks, attemptsPerSecondPerProject: 10, maximumConcurrentAttempts: 64,
        maximumConcurrentAttemptsPerProject: 16)

    public init() {}
}
