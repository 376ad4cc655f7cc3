#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The wall clock (`CLOCK_REALTIME`, milliseconds since the epoch) as the engine's clock, held
/// from going backwards: when the system clock is stepped back (an NTP correction, an
/// operator), ``now()`` answers the latest instant it answered before until the system clock
/// passes it again.
///
/// The engine journals the instant of every command and replays it with that instant, but it
/// does not journal the ticks that expire nothing. A receipt applied at an instant behind its
/// shard's wheel would find its deadline already due and open its incident at once, where the
/// replay, whose wheel stood further back, schedules it: the recovered state would differ from
/// the one that answered. A clock that never goes backwards keeps every instant the engine
/// sees at or past the wheel's.
public final class WallClock: EngineClock {
    private let latest = Atomic<Int64>(.min)
    private let source: @Sendable () -> Timestamp

    /// - Parameter source: the system clock; a test passes a scripted one.
    public init(source: @escaping @Sendable () -> Timestamp = WallClock.realtime) {
        self.source = source
    }

    public func now() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: raise(to: source().millisecondsSinceEpoch))
    }

    /// Answers nothing earlier than `instant` from now on: a restarted engine holds its clock
    /// at the latest instant its recovered state saw, so a system clock stepped back while it
    /// was down cannot take it behind its own wheels.
    public func hold(atLeast instant: Timestamp) {
        _ = raise(to: instant.millisecondsSinceEpoch)
    }

    /// Raises the latest instant to `observed` if that is later; answers the latest instant.
    private func raise(to observed: Int64) -> Int64 {
        var last = latest.load(ordering: .relaxed)
        // Usually the same millisecond as the last call, or a later one that one exchange stores.
        while observed > last {
            let (exchanged, current) = latest.compareExchange(expected: last, desired: observed, ordering: .relaxed)
            if exchanged { return observed }
            last = current
        }
        return last
    }

    /// `CLOCK_REALTIME` in milliseconds since the epoch.
    @Sendable public static func realtime() -> Timestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(millisecondsSinceEpoch: Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000)
    }
}
