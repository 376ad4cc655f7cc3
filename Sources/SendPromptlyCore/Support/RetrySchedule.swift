/// When to try a delivery again after a failed attempt: a fixed list of delays, each spread by
/// a random jitter so that many deliveries failing together do not retry together, and never
/// sooner than a receiver's `Retry-After`.
public struct RetrySchedule: Sendable, Equatable {
    /// The delay after the first failed attempt, after the second, ...; one attempt more than
    /// there are delays.
    public let delaysMilliseconds: [Int64]
    /// Each delay is multiplied by a random factor in `1 - jitter ... 1 + jitter`.
    public let jitter: Double

    public init(delaysMilliseconds: [Int64], jitter: Double = 0.2) {
        precondition(delaysMilliseconds.allSatisfy { $0 >= 0 } && (0...1).contains(jitter))
        self.delaysMilliseconds = delaysMilliseconds
        self.jitter = jitter
    }

    /// Section 5 of the wire contract: about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h.
    public static let repairCallbacks = RetrySchedule(delaysMilliseconds: [5, 30, 120, 600, 1800, 3600].map { $0 * 1000 })

    /// Alerts: 5 s, 15 s, 30 s, 1, 2, 5, 10 and 30 min, then hourly for six hours.
    public static let alerts = RetrySchedule(
        delaysMilliseconds: ([5, 15, 30, 60, 120, 300, 600, 1800] + Array(repeating: 3600, count: 6)).map { $0 * 1000 })

    public var maximumAttempts: Int { delaysMilliseconds.count + 1 }

    /// How long to wait after attempt `failedAttempt` (1-based) failed; nil when it was the
    /// last attempt of the schedule. A `Retry-After` longer than the jittered delay wins.
    public func delay(
        after failedAttempt: Int, retryAfterMilliseconds: Int64? = nil, using random: inout some RandomNumberGenerator
    ) -> Int64? {
        guard failedAttempt >= 1, failedAttempt <= delaysMilliseconds.count else { return nil }
        let base = Double(delaysMilliseconds[failedAttempt - 1])
        let jittered = Int64((base * Double.random(in: (1 - jitter)...(1 + jitter), using: &random)).rounded())
        return max(jittered, retryAfterMilliseconds ?? 0)
    }

    /// The longest delay a schedule may hold.
    public static let maximumDelaySeconds: Double = 7 * 24 * 3600

    /// Parses a comma-separated list of delays in seconds (`"5,30,120"`, decimals allowed),
    /// as the command line gives it; nil when an element is not a number from 0 to
    /// ``maximumDelaySeconds``.
    public init?(secondsList text: String, jitter: Double = 0.2) {
        var delays: [Int64] = []
        for element in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let seconds = Double(String(element.filter { $0 != " " })), (0...Self.maximumDelaySeconds).contains(seconds) else {
                return nil
            }
            delays.append(Int64((seconds * 1000).rounded()))
        }
        self.init(delaysMilliseconds: delays, jitter: jitter)
    }
}
