/// A project's events: rows in creation order (which is their identifier order: a shard issues
/// increasing ids), found by id or by the provider's event id, with the deadline timer of each
/// pending one.
///
/// Rows sit in one array rather than as dictionary values: a dictionary keeps a quarter or more
/// of its buckets empty and rounds up to a power of two, which for a 112-byte event costs more
/// than the event. The indexes map to a row number (4 bytes) instead. A snapshot walks the rows
/// in order without sorting. A removed event leaves a hole that the next compaction closes
/// (once holes are half the rows): removing is O(1) amortised.
///
/// A value owned by its ``ProjectState``; not thread-safe (the shard's actor serialises access).
struct EventTable {
    /// How a provider's own event id is found again (redelivery de-duplication).
    struct ProviderEventKey: Hashable {
        let provider: Provider
        let providerEventID: String
    }

    /// Nil where an event was removed.
    private var rows: ContiguousArray<EventRecord?> = []
    private var removedCount = 0
    private var rowsByID: [EventID: Int32] = [:]
    /// The first event that carried each provider event id.
    private var rowsByProviderEvent: [ProviderEventKey: Int32] = [:]
    /// The deadline of each pending event, parallel to `rows` (nil once it has a result or
    /// timed out): one word per event instead of a dictionary entry per pending one.
    private var timers: ContiguousArray<ReceiptTimer?> = []

    /// Events waiting for their result.
    private(set) var pendingCount = 0

    /// How far the retention sweep has come (ShardState+Retention.swift): every row before it
    /// has been looked at. A compaction keeps it before the same events.
    private(set) var sweepFront = 0

    var count: Int { rows.count - removedCount }
    var isEmpty: Bool { count == 0 }
    /// The newest event.
    var last: EventRecord? { rows.last { $0 != nil } ?? nil }

    /// The events, oldest first.
    var inCreationOrder: LazyMapSequence<LazyFilterSequence<ContiguousArray<EventRecord?>>, EventRecord> {
        rows.lazy.filter { $0 != nil }.map { $0.unsafelyUnwrapped }
    }

    /// The event `id`; setting replaces the event of that id, which must exist.
    subscript(id: EventID) -> EventRecord? {
        get { rowsByID[id].flatMap { rows[Int($0)] } }
        set {
            guard let row = rowsByID[id], let newValue, newValue.id == id else {
                preconditionFailure("only an existing event is replaced, by an event of its id")
            }
            rows[Int(row)] = newValue
        }
    }

    /// The event at the sweep's front, nil at the end; ``passFront()`` moves past it.
    mutating func eventAtFront() -> EventRecord? {
        while sweepFront < rows.count {
            if let event = rows[sweepFront] { return event }
            sweepFront += 1
        }
        return nil
    }

    mutating func passFront() {
        sweepFront += 1
    }

    /// Whether the sweep's front has passed event `id`.
    func isBehindSweepFront(_ id: EventID) -> Bool {
        rowsByID[id].map { Int($0) < sweepFront } ?? false
    }

    /// The first event the provider's `providerEventID` arrived with.
    func eventID(provider: Provider, providerEventID: String) -> EventID? {
        rowsByProviderEvent[ProviderEventKey(provider: provider, providerEventID: providerEventID)].flatMap { rows[Int($0)]?.id }
    }

    /// Adds `event`, newer than every event so far, and `timer` when it is pending. A provider
    /// event id seen before keeps pointing at its first event.
    mutating func append(_ event: EventRecord, timer: ReceiptTimer?) {
        precondition(last.map { $0.id < event.id } ?? true, "events are appended in id order")
        let row = Int32(rows.count)
        rows.append(event)
        timers.append(timer)
        if timer != nil { pendingCount += 1 }
        rowsByID[event.id] = row
        let key = ProviderEventKey(provider: event.provider, providerEventID: event.providerEventID)
        // One hash in the common case: a provider id seen before (a redelivery) is rare.
        if let first = rowsByProviderEvent.updateValue(row, forKey: key) { rowsByProviderEvent[key] = first }
    }

    /// Takes the pending event's timer away: nil when the event is not pending (any more).
    mutating func removeTimer(of id: EventID) -> ReceiptTimer? {
        guard let row = rowsByID[id].map(Int.init), let timer = timers[row] else { return nil }
        timers[row] = nil
        pendingCount -= 1
        return timer
    }

    /// Removes a finished event and its provider id (a redelivery afterwards is a new event).
    ///
    /// - Returns: the event; nil when there is none, or when it is pending (a pending event is
    ///   never removed: its deadline still has to fire).
    @discardableResult
    mutating func remove(_ id: EventID) -> EventRecord? {
        guard let row = rowsByID[id].map(Int.init), timers[row] == nil, let event = rows[row] else { return nil }
        rowsByID[id] = nil
        let key = ProviderEventKey(provider: event.provider, providerEventID: event.providerEventID)
        if rowsByProviderEvent[key] == Int32(row) { rowsByProviderEvent[key] = nil }
        rows[row] = nil
        removedCount += 1
        if rows.count >= 1024, removedCount * 2 >= rows.count { compact() }
        return event
    }

    /// Closes the holes: rows and timers move up, and the indexes learn the new row numbers.
    private mutating func compact() {
        var kept = ContiguousArray<EventRecord?>()
        var keptTimers = ContiguousArray<ReceiptTimer?>()
        kept.reserveCapacity(count)
        keptTimers.reserveCapacity(count)
        var newRow: [Int32] = Array(repeating: -1, count: rows.count)
        var newFront = 0
        for (row, event) in rows.enumerated() where event != nil {
            newRow[row] = Int32(kept.count)
            kept.append(event)
            keptTimers.append(timers[row])
            if row < sweepFront { newFront = kept.count }
        }
        sweepFront = newFront
        // `mapValues` keeps each table's layout: no key is hashed again.
        rowsByID = rowsByID.mapValues { newRow[Int($0)] }
        rowsByProviderEvent = rowsByProviderEvent.mapValues { newRow[Int($0)] }
        rows = kept
        timers = keptTimers
        removedCount = 0
    }

    mutating func reserveCapacity(_ count: Int) {
        rows.reserveCapacity(count)
        timers.reserveCapacity(count)
        rowsByID.reserveCapacity(count)
        rowsByProviderEvent.reserveCapacity(count)
    }
}
