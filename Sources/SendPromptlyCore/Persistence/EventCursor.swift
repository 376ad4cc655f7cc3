/// Finds what a project's idempotency records need of their events (the provider event id
/// that spells a key, the deadline a receipt's answer gives), by event id, for a walk over the
/// records, which name the events their receipts made in the same order as the events were
/// made: the cursor steps through the table's rows in creation order, so each lookup is a
/// neighbour in memory rather than a probe into a million-entry index. An id behind the cursor
/// (a redelivery's answer names an older event) is looked up in the index. Only those two
/// fields leave the table: copying whole events out would retain and release each of their
/// strings.
struct EventCursor {
    /// What a record's answer reads of its event.
    struct AnsweredEvent: Equatable {
        let providerEventID: PackedText
        let timeoutAt: Timestamp
    }

    private let table: EventTable
    private var row = 0

    init(_ table: EventTable) {
        self.table = table
    }

    /// Event `id`'s fields, nil when the table has no such event.
    mutating func event(_ id: EventID) -> AnsweredEvent? {
        while row < table.rowCount, table.id(inRow: row).map({ $0 < id }) ?? true { row += 1 }
        let found = row < table.rowCount && table.id(inRow: row) == id ? row : table.row(of: id)
        guard let found, let providerEventID = table.providerEventID(inRow: found), let timeoutAt = table.timeoutAt(inRow: found) else {
            return nil
        }
        return AnsweredEvent(providerEventID: providerEventID, timeoutAt: timeoutAt)
    }
}
