/// A deadline that can sit in a ``TimingWheel``.
///
/// The entry is its own list node, the way Kafka's `TimerTaskEntry` is: scheduling links it
/// into a bucket and cancelling unlinks it, so neither allocates nor searches. Subclass it to
/// carry a payload (the engine's pending receipt is a subclass), which keeps the deadline, the
/// links and the payload in one allocation.
///
/// An entry belongs to at most one wheel at a time and is not thread-safe; the wheel's owner
/// (a shard actor) serialises all access. While scheduled, the wheel keeps the entry alive.
open class TimerEntry {
    /// Milliseconds since the Unix epoch at which the entry is due.
    public final let deadline: Int64

    /// The tick at which the wheel hands the entry over (`deadline` rounded up to a tick), kept
    /// so that moving the entry between levels needs no division; ``notScheduled`` while the
    /// entry waits in no wheel. Also what ``isScheduled`` reads: a plain integer, where testing
    /// a link for nil would retain and release a neighbour.
    final var expiryTick = TimerEntry.notScheduled
    static let notScheduled = Int64.min

    // The links of the bucket's circular list, nil while the entry is not scheduled. Unowned and
    // unsafe, so that walking and relinking the lists costs no reference counting: the wheel
    // holds one reference to every scheduled entry instead (taken in `schedule`, given back on
    // cancel or expiry), and every bucket's sentinel lives as long as the wheel.
    final unowned(unsafe) var next: TimerEntry?
    final unowned(unsafe) var previous: TimerEntry?

    public init(deadline: Int64) {
        self.deadline = deadline
    }

    /// True while the entry waits in a wheel: neither cancelled nor expired yet.
    public final var isScheduled: Bool { expiryTick != Self.notScheduled }

    // MARK: The entry as a bucket's sentinel

    /// A bucket: the sentinel of a circular doubly linked list (Kafka's `TimerTaskList` root),
    /// so that linking and unlinking an entry never branches on the list's ends.
    static func makeBucket() -> TimerEntry {
        let sentinel = TimerEntry(deadline: .max)
        sentinel.next = sentinel
        sentinel.previous = sentinel
        return sentinel
    }

    /// Links `entry` at the end of the list whose sentinel this is.
    @inline(__always)
    final func append(_ entry: TimerEntry) {
        let last = previous.unsafelyUnwrapped
        entry.previous = last
        entry.next = self
        last.next = entry
        previous = entry
    }

    /// Unlinks this entry from whatever list holds it, which must be one, and marks it not
    /// scheduled.
    @inline(__always)
    final func unlink() {
        let before = previous.unsafelyUnwrapped
        let after = next.unsafelyUnwrapped
        before.next = after
        after.previous = before
        next = nil
        previous = nil
        expiryTick = Self.notScheduled
    }

    /// Empties the list whose sentinel this is and hands each of its entries to `body` in
    /// insertion order, still linked to its old neighbours: `body` must relink it (into this
    /// list again, too) and may not touch any other entry of the old list.
    @inline(__always)
    final func detachEach(_ body: (TimerEntry) -> Void) {
        var cursor = next.unsafelyUnwrapped
        next = self
        previous = self
        while cursor !== self {
            let entry = cursor
            cursor = entry.next.unsafelyUnwrapped
            body(entry)
        }
    }
}
