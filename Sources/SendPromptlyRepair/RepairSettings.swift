import SendPromptlyCore

/// How the repair dispatcher sends callbacks. Defaults are the wire contract's.
public struct RepairSettings: Sendable {
    /// One attempt's limit, connection to last byte of the answer's head.
    public var timeout: Duration = .seconds(10)
    public var retrySchedule: RetrySchedule = .repairCallbacks
    public var addressPolicy: RepairAddressPolicy = RepairAddressPolicy()!
    /// Callbacks per second to one project's repair endpoint, with bursts of the same size:
    /// what keeps a bulk reprocess of thousands of incidents from flooding the merchant.
    public var callbacksPerSecondPerProject: Double = 10
    /// Callbacks in flight at once, over all projects.
    public var maximumConcurrentCallbacks = 64

    public init() {}
}
