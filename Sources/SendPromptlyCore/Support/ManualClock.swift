import Synchronization

/// A clock that moves only when told to: the deterministic test double of ``EngineClock``,
/// in the spirit of NIO's `NIOEmbedded` event loop. Safe to read from any thread.
public final class ManualClock: EngineClock {
    private let current: Mutex<Timestamp>

    public init(_ start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)) {
        self.current = Mutex(start)
    }

    public func now() -> Timestamp {
        current.withLock { $0 }
    }

    /// Moves the clock forward; it never goes backwards.
    public func advance(milliseconds: Int64) {
        precondition(milliseconds >= 0, "a manual clock only moves forward")
        current.withLock { $0 = $0.adding(milliseconds: milliseconds) }
    }

    public func advance(seconds: Int64) {
        advance(milliseconds: seconds * 1000)
    }
}
