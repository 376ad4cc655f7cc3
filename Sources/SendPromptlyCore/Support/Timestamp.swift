/// An instant as whole milliseconds since the Unix epoch, UTC.
///
/// The engine keeps every instant in this form: it is what the timing wheel ticks in, it
/// compares and hashes as an integer, and it prints as the RFC 3339 form of the wire contract
/// (`2026-11-29T06:30:00.000Z`).
public struct Timestamp: Hashable, Comparable, Sendable {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + seconds * 1000)
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }
}

/// The source of "now" for the engine. The engine never reads a system clock itself, so a
/// test drives it to the tick with ``ManualClock``.
public protocol EngineClock: Sendable {
    func now() -> Timestamp
}
