/// A project's events: rows in creation order (which is their identifier order: a shard issues
/// increasing ids), found by id or by the provider's event id, with the deadline timer of each
/// pending one.
///
/// Rows sit in one paged array (``PagedArray``, which grows without copying) rather than as
/// dictionary values: a dictionary keeps a quarter or more of its buckets empty and rounds up
/// to a power of two, which for a 112-byte event costs more than the event. The indexes are ``RowIndex``es of row numbers (5 bytes a slot with its
/// tag), which compare a key with the one in its row instead of storing it again. A snapshot
/// walks the rows in order without sorting. A removed event leaves a hole that the next
/// compaction closes (once holes are half the rows): removing is O(1) amortised.
///
/// A value owned by its ``ProjectState``; not thread-safe (the shard's actor serialises access).
struct EventTable {
    /// Nil where an event was removed.
    /// Paged, so that growing copies no rows: a doubling array copied 100 MB in one go.
    private var rows = PagedArray<EventRecord?>()
    private var removedCount = 0
    /// Rows by event id, hashed with ``RowHash``.
    private var rowsByID = RowIndex()
    /// The first event that carried each provider event id (redelivery de-duplication), hashed
    /// with SipHash: a client chooses these strings.
    private var rowsByProviderEvent = RowIndex()
    /// The deadline of each pending event, parallel to `rows` (``noTimer`` once it has a
    /// result or timed out): one word per event instead of a dictionary entry per pending one.
    private var timers = PagedArray<TimerHandle>()
    /// Slot 0 is the wheel's first bucket, never a deadline: a handle no deadline has, where an
    /// optional handle would take 12 bytes a row instead of 8.
    private static let noTimer = TimerHandle(slot: 0, generation: 0)

    /// Events waiting for their result.
    private(set) var pendingCount = 0

    /// How far the retention sweep has come (ShardState+Retention.swift): every row before it
    /// has been looked at. A compaction keeps it before the same events.
    private(set) var sweepFront = 0

    var count: Int { rows.count - removedCount }
    var isEmpty: Bool { count == 0 }
    /// The id of the newest event appended since this table was made or restored, removed or
    /// not: kept rather than read from the last row, which would copy a whole event (and retain
    /// its strings) per append. Restored tables hold only live events, so after a restore it is
    /// the newest live one; appends stay in order because a shard's id generator, whose state
    /// its snapshot keeps, only goes up.
    private(set) var lastID: EventID?

    /// Rows, removed ones included: ``id(inRow:)`` and ``providerEventID(inRow:)`` take
    /// `0..<rowCount`, in creation order.
    var rowCount: Int { rows.count }

    /// The id of the event in `row`, nil where one was removed.
    func id(inRow row: Int) -> EventID? { rows[row]?.id }

    /// The provider event id of the event in `row`, nil where one was removed.
    func providerEventID(inRow row: Int) -> PackedText? { rows[row]?.providerEventID }

    /// The deadline of the event in `row`, nil where one was removed.
    func timeoutAt(inRow row: Int) -> Timestamp? { rows[row]?.timeoutAt }

    /// The deadline of event `id`, nil when there is none: read in its row, not copied out.
    func timeoutAt(of id: EventID) -> Timestamp? {
        row(of: id).flatMap { rows[$0]?.timeoutAt }
    }

    /// The events, oldest first.
    var inCreationOrder: LazyMapSequence<LazyFilterSequence<PagedArray<EventRecord?>>, EventRecord> {
        rows.lazy.filter { $0 != nil }.map { $0.unsafelyUnwrapped }
    }

    /// The event `id`; setting replaces the event of that id, which must exist.
    subscript(id: EventID) -> EventRecord? {
        get { row(of: id).flatMap { rows[$0] } }
        set {
            guard let row = row(of: id), let newValue, newValue.id == id else {
                preconditionFailure("only an existing event is replaced, by an event of its id")
            }
            rows[row] = newValue
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
        row(of: id).map { $0 < sweepFront } ?? false
    }

    /// The first event the provider's `providerEventID` arrived with.
    func eventID(provider: Provider, providerEventID: String) -> EventID? {
        let providerEventID = PackedText(providerEventID)
        return rowsByProviderEvent.find(hash: Self.hash(provider, providerEventID)) { row in
            rows[Int(row)]?.provider == provider && rows[Int(row)]?.providerEventID == providerEventID
        }.flatMap { rows[Int($0)]?.id }
    }

    /// The row of event `id`, nil when it has none.
    func row(of id: EventID) -> Int? {
        rowsByID.find(hash: id.rowHash) { rows[Int($0)]?.id == id }.map(Int.init)
    }

    /// The hash `rowsByProviderEvent` files a provider event id under: SipHash with the
    /// process's random seed.
    private static func hash(_ provider: Provider, _ providerEventID: PackedText) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(provider)
        hasher.combine(providerEventID)
        return UInt64(truncatingIfNeeded: hasher.finalize())
    }

    // The hashes a row is filed under, for an index that grows or shifts a cluster. Static, and
    // given the row: a closure passed to a mutating index method may read `rows` but not call
    // a method of `self`, which the index's modification already holds.

    /// The hash `event` (a row not removed) is filed under in `rowsByID`.
    private static func idHash(of event: EventRecord?) -> UInt64 {
        event.unsafelyUnwrapped.id.rowHash
    }

    /// The hash `event` (a row not removed) is filed under in `rowsByProviderEvent`.
    private static func providerHash(of event: EventRecord?) -> UInt64 {
        let event = event.unsafelyUnwrapped
        return hash(event.provider, event.providerEventID)
    }

    /// Adds `event`, newer than every event so far, and `timer` when it is pending. A provider
    /// event id seen before keeps pointing at its first event. `event` is moved into its row,
    /// its strings not retained again.
    mutating func append(_ event: consuming EventRecord, timer: TimerHandle?) {
        precondition(lastID.map { $0 < event.id } ?? true, "events are appended in id order")
        lastID = event.id
        let idHash = event.id.rowHash
        let providerHash = Self.hash(event.provider, event.providerEventID)
        let row = Int(rows.count)
        rows.append(event)
        timers.append(timer ?? Self.noTimer)
        if timer != nil { pendingCount += 1 }
        rowsByID.insert(UInt32(row), hash: idHash, hashOfRow: { Self.idHash(of: rows[Int($0)]) })
        // One probe: the provider id's first event stays filed, or this one is filed.
        // Fields read through the rows, not whole events copied out of them.
        rowsByProviderEvent.insert(UInt32(row), hash: providerHash, unlessFiled: { filed in
            rows[Int(filed)]?.provider == rows[row]?.provider && rows[Int(filed)]?.providerEventID == rows[row]?.providerEventID
        }, hashOfRow: { Self.providerHash(of: rows[Int($0)]) })
    }

    /// Takes the pending event's timer away: nil when the event is not pending (any more).
    mutating func removeTimer(of id: EventID) -> TimerHandle? {
        guard let row = row(of: id), timers[row] != Self.noTimer else { return nil }
        let timer = timers[row]
        timers[row] = Self.noTimer
        pendingCount -= 1
        return timer
    }

    /// Removes a finished event and its provider id (a redelivery afterwards is a new event).
    ///
    /// - Returns: the event; nil when there is none, or when it is pending (a pending event is
    ///   never removed: its deadline still has to fire).
    @discardableResult
    mutating func remove(_ id: EventID) -> EventRecord? {
        guard let row = row(of: id), timers[row] == Self.noTimer, let event = rows[row] else { return nil }
        let filedByID = rowsByID.remove(UInt32(row), hash: id.rowHash, hashOfRow: { Self.idHash(of: rows[Int($0)]) })
        assert(filedByID, "every row is filed by its id")
        // Filed only when it was its provider id's first event.
        rowsByProviderEvent.remove(UInt32(row), hash: Self.hash(event.provider, event.providerEventID), hashOfRow: { Self.providerHash(of: rows[Int($0)]) })
        rows[row] = nil
        removedCount += 1
        if rows.count >= 1024, removedCount * 2 >= rows.count { compact() }
        return event
    }

    /// Closes the holes: rows and timers move up, and the indexes learn the new row numbers.
    private mutating func compact() {
        var kept = PagedArray<EventRecord?>()
        var keptTimers = PagedArray<TimerHandle>()
        kept.reserveCapacity(count)
        keptTimers.reserveCapacity(count)
        var newRow = ContiguousArray<UInt32>(repeating: .max, count: rows.count)
        var newFront = 0
        for (row, event) in rows.enumerated() where event != nil {
            newRow[row] = UInt32(kept.count)
            kept.append(event)
            keptTimers.append(timers[row])
            if row < sweepFront { newFront = kept.count }
        }
        sweepFront = newFront
        rowsByID.renumber { newRow[Int($0)] }
        rowsByProviderEvent.renumber { newRow[Int($0)] }
        rows = kept
        timers = keptTimers
        removedCount = 0
    }

    mutating func reserveCapacity(_ count: Int) {
        rows.reserveCapacity(count)
        timers.reserveCapacity(count)
        rowsByID.reserveCapacity(count, hashOfRow: { Self.idHash(of: rows[Int($0)]) })
        rowsByProviderEvent.reserveCapacity(count, hashOfRow: { Self.providerHash(of: rows[Int($0)]) })
    }
}
