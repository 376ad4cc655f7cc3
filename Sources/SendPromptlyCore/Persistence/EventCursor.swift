/// Finds a project's events by id for a walk over its idempotency records, which name the
/// events their receipts made in the same order as the events were made: the cursor steps
/// through the table in creation order, so each lookup is a neighbour in memory rather than a
/// probe into a million-entry index. An id behind the cursor (a redelivery's answer names an
/// older event) is looked up in the index.
struct EventCursor {
    private let table: EventTable
    private var walk: LazyMapSequence<LazyFilterSequence<ContiguousArray<EventRecord?>>, EventRecord>.Iterator
    private var current: EventRecord?

    init(_ table: EventTable) {
        self.table = table
        walk = table.inCreationOrder.makeIterator()
        current = walk.next()
    }

    /// The event `id`, nil when the table has none.
    mutating func event(_ id: EventID) -> EventRecord? {
        while let event = current, event.id < id { current = walk.next() }
        if let current, current.id == id { return current }
        return table[id]
    }
}
