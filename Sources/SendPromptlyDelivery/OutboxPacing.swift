import SendPromptlyCore

/// How fast and how long an ``OutboxWorker`` tries.
public struct OutboxPacing: Sendable {
    public var retrySchedule: RetrySchedule
    /// Attempts per second to one project's receiver, in bursts of the same size: what keeps
    /// a bulk reprocess or a burst of incidents from flooding the receiver.
    public var attemptsPerSecondPerProject: Double
    /// Attempts in flight at once, over all projects.
    public var maximumConcurrentAttempts: Int
    /// Attempts in flight at once to one project's receiver: a slow one cannot hold them all.
    public var maximumConcurrentAttemptsPerProject: Int

    public init(
        retrySchedule: RetrySchedule, attemptsPerSecondPerProject: Double, maximumConcurrentAttempts: Int,
        maximumConcurrentAttemptsPerProject: Int
    ) {
        precondition(maximumConcurrentAttemptsPerProject <= maximumConcurrentAttempts)
        self.retrySchedule = retrySchedule
        self.attemptsPerSecondPerProject = attemptsPerSecondPerProject
        self.maximumConcurrentAttempts = maximumConcurrentAttempts
        self.maximumConcurrentAttemptsPerProject = maximumConcurrentAttemptsPerProject
    }
}
