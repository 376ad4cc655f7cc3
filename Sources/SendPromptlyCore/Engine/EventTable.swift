/// A project's events: rows in creation order (which is their identifier order: a shard issues
/// increasing ids), found by id or by the provider's event id, with the deadline timer of each
/// pending one.
///
/// Rows sit in one array rather than as dictionary values: a dictionary keeps a quarter or more
/// of its buckets empty and rounds up to a power of two, which for a 96-byte event costs more
/// than the event. The indexes map to a row number (4 bytes) instead. A snapshot walks the rows
/// in order without sorting.
///
/// A value owned by its ``ProjectState``; not thread-safe (the shard's actor serialises access).
struct EventTable {
    /// How a provider's own event id is found again (redelivery de-duplication).
    struct ProviderEventKey: Hashable {
        let provider: Provider
        let providerEventID: String
    }

    private(set) var rows: ContiguousArray<EventRecord> = []
    private var rowsByID: [EventID: Int32] = [:]
    /// The first event that carried each provider event id.
    private var rowsByProviderEvent: [ProviderEventKey: Int32] = [:]
    /// The deadline of each pending event, parallel to `rows` (nil once it has a result or
    /// timed out): one word per event instead of a dictionary entry per pending one.
    private var timers: ContiguousArray<ReceiptTimer?> = []

    /// Events waiting for their result.
    private(set) var pendingCount = 0

    var count: Int { rows.count }
    var isEmpty: Bool { rows.isEmpty }
    var last: EventRecord? { rows.last }

    /// The event `id`; setting replaces the event of that id, which must exist.
    subscript(id: EventID) -> EventRecord? {
        get { rowsByID[id].map { rows[Int($0)] } }
        set {
            guard let row = rowsByID[id], let newValue, newValue.id == id else {
                preconditionFailure("only an existing event is replaced, by an event of its id")
            }
            rows[Int(row)] = newValue
        }
    }

    /// The first event the provider's `providerEventID` arrived with.
    func eventID(provider: Provider, providerEventID: String) -> EventID? {
        rowsByProviderEvent[ProviderEventKey(provider: provider, providerEventID: providerEventID)].map { rows[Int($0)].id }
    }

    /// Adds `event`, newer than every event so far, and `timer` when it is pending. A provider
    /// event id seen before keeps pointing at its first event.
    mutating func append(_ event: EventRecord, timer: ReceiptTimer?) {
        precondition(rows.last.map { $0.id < event.id } ?? true, "events are appended in id order")
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

    mutating func reserveCapacity(_ count: Int) {
        rows.reserveCapacity(count)
        timers.reserveCapacity(count)
        rowsByID.reserveCapacity(count)
        rowsByProviderEvent.reserveCapacity(count)
    }
}
