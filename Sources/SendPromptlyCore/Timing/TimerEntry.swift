/// A deadline that can sit in a ``TimingWheel``.
///
/// The entry is its own list node, the way Kafka's `TimerTaskEntry` is: scheduling links it
/// into a bucket and cancelling unlinks it, so neither allocates nor searches. Subclass it to
/// carry a payload (the engine's pending receipt is a subclass), which keeps the deadline, the
/// links and the payload in one allocation.
///
/// An entry belongs to at most one wheel at a time and is not thread-safe; the wheel's owner
/// (a shard actor) serialises all access.
open class TimerEntry {
    /// Milliseconds since the Unix epoch at which the entry is due.
    public final let deadline: Int64

    /// The bucket holding the entry, or nil while it is not scheduled. Unowned because every
    /// bucket outlives the entries linked into it: the wheel owns its buckets for its lifetime
    /// and unlinks an entry before the entry can be released.
    final unowned(unsafe) var bucket: TimerBucket?
    final var next: TimerEntry?
    final unowned(unsafe) var previous: TimerEntry?

    public init(deadline: Int64) {
        self.deadline = deadline
    }

    /// True while the entry waits in a wheel: neither cancelled nor expired yet.
    public final var isScheduled: Bool { bucket != nil }
}
