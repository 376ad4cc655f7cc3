/// One slot of a ``TimingWheel``: an intrusive doubly linked list of entries (Kafka's
/// `TimerTaskList`). Append and remove are O(1) and allocate nothing; the links live in the
/// entries themselves.
final class TimerBucket {
    var head: TimerEntry?
    unowned(unsafe) var tail: TimerEntry?

    init() {}

    func append(_ entry: TimerEntry) {
        entry.bucket = self
        entry.next = nil
        entry.previous = tail
        if let tail {
            tail.next = entry
        } else {
            head = entry
        }
        tail = entry
    }

    /// Unlinks `entry`, which must be linked into this bucket.
    func remove(_ entry: TimerEntry) {
        let next = entry.next
        if let previous = entry.previous {
            previous.next = next
        } else {
            head = next
        }
        if let next {
            next.previous = entry.previous
        } else {
            tail = entry.previous
        }
        entry.next = nil
        entry.previous = nil
        entry.bucket = nil
    }

    /// Unlinks every entry and hands each to `body` in insertion order. `body` may append to
    /// this bucket again (cascading does): the list is detached before the first call. `body`
    /// must not remove entries, though: those not yet handed over still name this bucket, so
    /// removing one would corrupt the list.
    func drain(_ body: (TimerEntry) -> Void) {
        var cursor = head
        head = nil
        tail = nil
        while let entry = cursor {
            cursor = entry.next
            entry.next = nil
            entry.previous = nil
            entry.bucket = nil
            body(entry)
        }
    }
}
