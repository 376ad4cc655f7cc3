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
        refill(at: now)
        tokens -= 1
        guard tokens < 0 else { return 0 }
        return Int64((-tokens / ratePerSecond * 1000).rounded(.up))
    }

    /// Takes one token at `now` if there is one and answers 0; otherwise takes nothing and answers
    /// how many milliseconds after `now` a token will be there. What a limiter that refuses
    /// (rather than queues) calls: a refusal does not push later callers further back.
    public mutating func take(at now: Timestamp) -> Int64 {
        refill(at: now)
        // Refills add fractions that binary floating point rounds (0.99 + 0.01 < 1): a billionth
        // of a token, far below any rate's resolution, absorbs that, so that a caller that waits
        // exactly the answered milliseconds gets its token.
        let tolerance = 1e-9
        guard tokens + tolerance < 1 else {
            tokens = max(0, tokens - 1)
            return 0
        }
        let wait = (1 - tokens) / ratePerSecond * 1000
        return max(1, Int64((wait - tolerance * 1000 / ratePerSecond).rounded(.up)))
    }

    private mutating func refill(at now: Timestamp) {
        guard now > updatedAt else { return }
        let elapsed = Double(now.millisecondsSinceEpoch - updatedAt.millisecondsSinceEpoch) / 1000
        tokens = min(capacity, tokens + elapsed * ratePerSecond)
        updatedAt = now
    }
}
