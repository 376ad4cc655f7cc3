/// Finds the provider event ids of a project's events, by event id, for a walk over its
/// idempotency records, which name the events their receipts made in the same order as the
/// events were made: the cursor steps through the table's rows in creation order, so each
/// lookup is a neighbour in memory rather than a probe into a million-entry index. An id behind
/// the cursor (a redelivery's answer names an older event) is looked up in the index. Only the
/// provider event id leaves the table: copying whole events out would retain and release each
/// of their strings.
struct EventCursor {
    private let table: EventTable
    private var row = 0

    init(_ table: EventTable) {
        self.table = table
    }

    /// The provider event id of event `id`, nil when the table has no such event.
    mutating func providerEventID(of id: EventID) -> PackedText? {
        while row < table.rowCount, table.id(inRow: row).map({ $0 < id }) ?? true { row += 1 }
        if row < table.rowCount, table.id(inRow: row) == id { return table.providerEventID(inRow: row) }
        return table[id]?.providerEventID
    }
}
