import XCTest
@testable import SendPromptlyCore

/// A project's event table: lookups by id and by provider event id stay right through removals
/// and the compactions they trigger; pending events are never removed.
final class EventTableTests: XCTestCase {
    private let start = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)

    private func table(events count: Int, pendingEvery: Int) -> (EventTable, [EventID]) {
        var generator = IdentifierGenerator(seed: 11)
        var table = EventTable()
        var ids: [EventID] = []
        for index in 0..<count {
            let id: EventID = generator.next(at: start.adding(milliseconds: Int64(index)))
            append(id, providerEventID: "evt_\(index)", pending: index % pendingEvery == 0, to: &table)
            ids.append(id)
        }
        return (table, ids)
    }

    private func append(_ id: EventID, providerEventID: String, pending: Bool, to table: inout EventTable) {
        let event = EventRecord(
            id: id, receipt: Receipt(provider: .stripe, providerEventID: providerEventID, eventType: "invoice.paid", effectType: .creditGrant),
            acceptedAt: start, timeoutAt: start.adding(seconds: 60), state: pending ? .pending : .succeeded)
        table.append(event, timer: pending ? TimerHandle(slot: UInt32(truncatingIfNeeded: id.low), generation: 7) : nil)
    }

    /// An id newer than every id `table(events:pendingEvery:)` issued.
    private func laterID(_ offset: Int) -> EventID {
        var generator = IdentifierGenerator(seed: 12)
        return generator.next(at: start.adding(seconds: 3600 + Int64(offset)))
    }

    func testAProviderIDIsFiledAgainOnlyOnceItsFirstEventIsRemoved() {
        var (table, ids) = table(events: 10, pendingEvery: 100)
        append(laterID(0), providerEventID: "evt_4", pending: false, to: &table)
        XCTAssertEqual(table.eventID(provider: .stripe, providerEventID: "evt_4"), ids[4], "a redelivery keeps pointing at the first event")
        XCTAssertNotNil(table.remove(ids[3]))
        XCTAssertNil(table.eventID(provider: .stripe, providerEventID: "evt_3"))
        append(laterID(1), providerEventID: "evt_3", pending: false, to: &table)
        XCTAssertEqual(table.eventID(provider: .stripe, providerEventID: "evt_3"), laterID(1), "after removal the id is a new event's")
    }

    func testTheCursorFindsProviderIDsAcrossRemovedRowsAndACompaction() {
        var (table, ids) = table(events: 3000, pendingEvery: 7)
        // Two in three non-pending events, the newest (2999) included: over half of the rows,
        // so a compaction.
        let removed = Set((0..<3000).filter { $0 % 7 != 0 && $0 % 3 != 0 })
        for index in removed.sorted(by: >) { XCTAssertNotNil(table.remove(ids[index])) }
        XCTAssertLessThan(table.rowCount, 3000, "compacted")
        XCTAssertEqual(table.lastID, ids[2999], "the newest id appended, though removed")

        var cursor = EventCursor(table)
        for index in stride(from: 0, to: 3000, by: 5) {
            XCTAssertEqual(
                cursor.event(ids[index]), removed.contains(index) ? nil : .init(providerEventID: PackedText("evt_\(index)"), timeoutAt: start.adding(seconds: 60)),
                "event \(index)")
        }
        XCTAssertEqual(cursor.event(ids[14])?.providerEventID, PackedText("evt_14"), "an id behind the cursor, from the index")
        XCTAssertNil(cursor.event(ids[2999]), "removed, and newer than every live event")
        XCTAssertNil(cursor.event(laterID(0)), "never appended")
    }

    func testRemovalsAndCompactionsKeepEveryLookupRight() throws {
        try assertRemovalsAndCompactionsKeepEveryLookupRight(events: 5000)
    }

    /// Past 2^14 index slots each index is split into parts (``RowIndex``), which a compaction
    /// renumbers part by part.
    func testRemovalsAndCompactionsKeepEveryLookupRightInASplitIndex() throws {
        try assertRemovalsAndCompactionsKeepEveryLookupRight(events: 40_000)
    }

    private func assertRemovalsAndCompactionsKeepEveryLookupRight(events count: Int) throws {
        var (table, ids) = table(events: count, pendingEvery: 7)
        XCTAssertEqual(table.pendingCount, (0..<count).count { $0 % 7 == 0 })
        var removed = Set<Int>()
        // Oldest first, as retention removes, then a scattered second pass: several compactions.
        let oldest = count * 3 / 5
        for index in Array(0..<oldest) + Array(stride(from: count - 1, to: oldest, by: -3)) {
            let event = table.remove(ids[index])
            if index % 7 == 0 {
                XCTAssertNil(event, "pending event \(index) is never removed")
            } else {
                XCTAssertEqual(event?.id, ids[index])
                removed.insert(index)
            }
        }
        XCTAssertLessThan(table.rowCount, count, "compacted")
        XCTAssertEqual(table.count, count - removed.count)
        XCTAssertEqual(Array(table.inCreationOrder.map(\.id)), (0..<count).filter { !removed.contains($0) }.map { ids[$0] })
        for index in 0..<count {
            let id = table.eventID(provider: .stripe, providerEventID: "evt_\(index)")
            XCTAssertEqual(table[ids[index]]?.id, removed.contains(index) ? nil : ids[index], "event \(index)")
            XCTAssertEqual(id, removed.contains(index) ? nil : ids[index], "provider id of \(index)")
            XCTAssertEqual(table.timeoutAt(of: ids[index]), removed.contains(index) ? nil : start.adding(seconds: 60), "deadline of \(index)")
        }
        XCTAssertNil(table.remove(ids[1]), "removing twice finds nothing")
        let lastPending = count - 1 - (count - 1) % 7
        let pending = try XCTUnwrap(table.removeTimer(of: ids[lastPending]))
        XCTAssertEqual(pending, TimerHandle(slot: UInt32(truncatingIfNeeded: ids[lastPending].low), generation: 7), "the timer moved with its event")
        XCTAssertEqual(table.pendingCount, (0..<count).count { $0 % 7 == 0 } - 1)
    }
}

/// The sizes the memory figures in Benchmarks/README.md rest on: a field added to a row is a
/// million times that field.
final class RowLayoutTests: XCTestCase {
    func testRowsKeepTheirDocumentedSizes() {
        XCTAssertEqual(MemoryLayout<Identifier<EventKind>>.size, 16)
        XCTAssertLessThanOrEqual(MemoryLayout<EventRecord?>.stride, 112)
        XCTAssertEqual(MemoryLayout<PackedText>.size, 33, "a typical provider event id, inline")
        XCTAssertLessThanOrEqual(MemoryLayout<IdempotencyRecord>.stride, 48)
        XCTAssertEqual(MemoryLayout<TimerSlot>.stride, 32, "a pending receipt's deadline, its back link and generation aside")
    }

    func testADeadlineSpanKeepsTheReceiptsOwnTimeoutOrTheProjectDefault() {
        let accepted = Timestamp(millisecondsSinceEpoch: 1_764_397_800_123)
        let week: Int64 = 7 * 24 * 3600
        var generator = IdentifierGenerator(seed: 3)
        for (own, span) in [(Int64?.none, Int64(1800)), (60, 60), (week, week), (nil, week)] {
            let event = EventRecord(
                id: generator.next(at: accepted),
                receipt: Receipt(provider: .stripe, providerEventID: "evt_1", eventType: "invoice.paid", effectType: .creditGrant, timeoutSeconds: own),
                acceptedAt: accepted, timeoutAt: accepted.adding(seconds: span), state: .pending)
            XCTAssertEqual(event.timeoutAt, accepted.adding(seconds: span))
            XCTAssertEqual(event.receipt.timeoutSeconds, own)
        }
        XCTAssertTrue(TimeoutSpan.fits(milliseconds: TimeoutSpan.longest, ownSeconds: nil))
        XCTAssertFalse(TimeoutSpan.fits(milliseconds: TimeoutSpan.longest + 1, ownSeconds: nil), "past 31 bits")
        XCTAssertFalse(TimeoutSpan.fits(milliseconds: -1, ownSeconds: nil), "before acceptance")
        XCTAssertFalse(TimeoutSpan.fits(milliseconds: 61_000, ownSeconds: 60), "an own timeout is the span exactly")
    }
}
