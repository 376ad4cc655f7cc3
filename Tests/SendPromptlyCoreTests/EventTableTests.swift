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
            let pending = index % pendingEvery == 0
            let event = EventRecord(
                id: id, receipt: Receipt(provider: .stripe, providerEventID: "evt_\(index)", eventType: "invoice.paid", effectType: .creditGrant),
                acceptedAt: start, timeoutAt: start.adding(seconds: 60), state: pending ? .pending : .succeeded)
            table.append(event, timer: pending ? ReceiptTimer(projectID: ProjectID("prj_01EX1H0DFEBHAT7QS63V1YZ82E")!, eventID: id, deadline: event.timeoutAt) : nil)
            ids.append(id)
        }
        return (table, ids)
    }

    func testRemovalsAndCompactionsKeepEveryLookupRight() throws {
        var (table, ids) = table(events: 5000, pendingEvery: 7)
        XCTAssertEqual(table.pendingCount, (0..<5000).count { $0 % 7 == 0 })
        var removed = Set<Int>()
        // Oldest first, as retention removes, then a scattered second pass: several compactions.
        for index in Array(0..<3000) + Array(stride(from: 4999, to: 3000, by: -3)) {
            let event = table.remove(ids[index])
            if index % 7 == 0 {
                XCTAssertNil(event, "pending event \(index) is never removed")
            } else {
                XCTAssertEqual(event?.id, ids[index])
                removed.insert(index)
            }
        }
        XCTAssertEqual(table.count, 5000 - removed.count)
        XCTAssertEqual(Array(table.inCreationOrder.map(\.id)), (0..<5000).filter { !removed.contains($0) }.map { ids[$0] })
        for index in 0..<5000 {
            let id = table.eventID(provider: .stripe, providerEventID: "evt_\(index)")
            XCTAssertEqual(table[ids[index]]?.id, removed.contains(index) ? nil : ids[index], "event \(index)")
            XCTAssertEqual(id, removed.contains(index) ? nil : ids[index], "provider id of \(index)")
        }
        XCTAssertNil(table.remove(ids[1]), "removing twice finds nothing")
        let pending = try XCTUnwrap(table.removeTimer(of: ids[4998 - 4998 % 7]))
        XCTAssertEqual(pending.eventID, ids[4998 - 4998 % 7])
        XCTAssertEqual(table.pendingCount, (0..<5000).count { $0 % 7 == 0 } - 1)
    }
}

/// The sizes the memory figures in Benchmarks/README.md rest on: a field added to a row is a
/// million times that field.
final class RowLayoutTests: XCTestCase {
    func testRowsKeepTheirDocumentedSizes() {
        XCTAssertEqual(MemoryLayout<Identifier<EventKind>>.size, 16)
        XCTAssertLessThanOrEqual(MemoryLayout<EventRecord>.stride, 112)
        XCTAssertLessThanOrEqual(MemoryLayout<IdempotencyRecord>.stride, 88)
    }
}
