import NIOCore

/// Nanoseconds on a monotonic clock. The driver reads NIO's (`NIODeadline`), tests inject
/// their own, so the pacing and the latency arithmetic are checked without waiting.
public protocol MonotonicClock: Sendable {
    func nanoseconds() -> UInt64
}

/// The clock NIO schedules timers on, so a request planned for instant `t` is sent by a timer
/// for `t`.
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}
    public func nanoseconds() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}

/// How a connection paces its requests.
public enum Pace: Sendable, Equatable {
    /// The next request as soon as the previous response arrives.
    case closedLoop
    /// One request every `intervalNanoseconds` on this connection, whatever the server does.
    case fixedRate(intervalNanoseconds: UInt64)
}

/// When each request of one connection is meant to go out.
///
/// Latency is measured from this intended instant, not from when the request could actually be
/// written, which corrects for coordinated omission as wrk2 does: at a fixed rate, a stall of
/// the server delays every request planned during the stall, and each of them counts the
/// delay, instead of only the one request that was in flight. With one request in flight per
/// connection, a request planned while the previous one is outstanding goes out at once when
/// it returns, and its latency includes the wait.
public struct SendSchedule: Sendable {
    public let pace: Pace
    private var nextIntended: UInt64

    /// `start` is the first request's intended instant (at a fixed rate, stagger connections
    /// across one interval so that they do not fire together).
    public init(pace: Pace, start: UInt64) {
        self.pace = pace
        nextIntended = start
    }

    /// The intended instant of the next request, given that the connection is free at `now`.
    /// In a closed loop that is `now`; at a fixed rate it is the next slot of the schedule,
    /// which may be in the past (the request is late and goes out at once) or in the future
    /// (wait for it).
    public mutating func nextRequest(freeAt now: UInt64) -> UInt64 {
        switch pace {
        case .closedLoop:
            return now
        case .fixedRate(let interval):
            let intended = nextIntended
            nextIntended &+= interval
            return intended
        }
    }

    /// The latency of a request intended for `intended` whose response arrived at `completed`.
    public static func latency(intended: UInt64, completed: UInt64) -> UInt64 {
        completed > intended ? completed - intended : 0
    }
}
