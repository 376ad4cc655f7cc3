/// A token bucket: up to `capacity` actions at once, refilled at `ratePerSecond`. Pure: the
/// caller passes the instant, so a test drives it to the millisecond.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let ratePerSecond: Double
    private var tokens: Double
    private var updatedAt: Timestamp

    public init(capacity: Double, ratePerSecond: Double, now: Timestamp) {
        precondition(capacity >= 1 && ratePerSecond > 0)
        self.capacity = capacity
        self.ratePerSecond = ratePerSecond
        self.tokens = capacity
        self.updatedAt = now
    }

    /// Takes one token for an action at `now`, possibly in the future: answers how many
    /// milliseconds after `now` the action may run (zero when a token is available at once).
    /// Reserving ahead keeps a burst of callers in order: each waits its own turn.
    public mutating func reserve(at now: Timestamp) -> Int64 {
        if now > updatedAt {
            let elapsed = Double(now.millisecondsSinceEpoch - updatedAt.millisecondsSinceEpoch) / 1000
            tokens = min(capacity, tokens + elapsed * ratePerSecond)
            updatedAt = now
        }
        tokens -= 1
        guard tokens < 0 else { return 0 }
        return Int64((-tokens / ratePerSecond * 1000).rounded(.up))
    }
}
