import XCTest
@testable import SendPromptlyCore

/// The open-addressed row index: rows stay reachable through collisions, probe chains that
/// wrap around the end of the table, removals inside a cluster, growth and renumbering. Keys
/// are numbers in a `keys` array (row → key) and the hash is the test's to choose, so that
/// collisions land exactly where a case needs them.
final class RowIndexTests: XCTestCase {
    /// A table's rows (nil once removed) with the index over them, hashed by `hash`.
    private struct Table {
        var keys: [UInt64?] = []
        var index = RowIndex()
        let hash: (UInt64) -> UInt64

        /// Appends a row of `key` and files it unless its key is already filed.
        ///
        /// - Returns: the row that now answers for `key`.
        @discardableResult
        mutating func add(_ key: UInt64) -> UInt32 {
            let row = UInt32(keys.count)
            keys.append(key)
            let filed = index.insert(row, hash: hash(key), unlessFiled: { keys[Int($0)] == key }, hashOfRow: { hash(keys[Int($0)]!) })
            return filed ?? row
        }

        func find(_ key: UInt64) -> UInt32? {
            index.find(hash: hash(key)) { keys[Int($0)] == key }
        }

        /// Removes the row from the index and the table; whether it was filed.
        @discardableResult
        mutating func remove(row: UInt32) -> Bool {
            let key = keys[Int(row)]!
            let removed = index.remove(row, hash: hash(key), hashOfRow: { hash(keys[Int($0)]!) })
            keys[Int(row)] = nil
            return removed
        }

        /// Drops the removed rows and renumbers the index, as ``EventTable`` compacts.
        mutating func compact() {
            var newRow = [UInt32](repeating: .max, count: keys.count)
            var kept: [UInt64?] = []
            for (row, key) in keys.enumerated() where key != nil {
                newRow[row] = UInt32(kept.count)
                kept.append(key)
            }
            index.renumber { newRow[Int($0)] }
            keys = kept
        }
    }

    /// Keys are their own hashes: key `k` starts probing at slot `k % capacity`.
    private func table() -> Table { Table(hash: { $0 }) }

    func testProbeChainsThatWrapAroundTheEndFindEveryRow() {
        var table = table()
        // Capacity 8: keys 6, 14, 22, 30, 38 all start at slot 6 and fill 6, 7, 0, 1, 2.
        let keys: [UInt64] = [6, 14, 22, 30, 38]
        for key in keys { table.add(key) }
        XCTAssertEqual(table.index.capacity, 8, "five rows fit in the smallest table")
        XCTAssertEqual(table.index.count, 5)
        for (row, key) in keys.enumerated() { XCTAssertEqual(table.find(key), UInt32(row), "key \(key)") }
        XCTAssertNil(table.find(46), "an absent key of the same bucket ends its probe at the free slot 3")
        XCTAssertNil(table.find(7), "an absent key probing from slot 7 wraps and stops at slot 3")

        // Row 2 sits in slot 0, after the wrap: rows 3 and 4 shift back over it.
        XCTAssertTrue(table.remove(row: 2))
        for (row, key) in keys.enumerated() where row != 2 { XCTAssertEqual(table.find(key), UInt32(row), "key \(key)") }
        XCTAssertNil(table.find(22))
        // The head of the cluster, in slot 6.
        XCTAssertTrue(table.remove(row: 0))
        for row in [1, 3, 4] { XCTAssertEqual(table.find(keys[row]), UInt32(row), "key \(keys[row])") }
        XCTAssertEqual(table.index.count, 3)
        XCTAssertFalse(table.index.remove(0, hash: 6, hashOfRow: { _ in XCTFail("nothing moves"); return 0 }),
                       "a row no longer filed is not found to remove")
    }

    func testRemovingInsideAClusterMovesOnlyRowsWhoseProbePathCrossesTheHole() {
        var table = table()
        // Slots: 1 ← key 1, 2 ← key 9 (bucket 1), 3 ← key 3 (bucket 3), 4 ← key 17 (bucket 1),
        // 5 ← key 4 (bucket 4).
        for key: UInt64 in [1, 9, 3, 17, 4] { table.add(key) }
        XCTAssertEqual(table.index.capacity, 8)
        // Removing key 1 (slot 1): key 9 moves back to slot 1; key 3 stays in its own bucket
        // (in slot 2 a probe from bucket 3 would never reach it); key 17 moves to slot 2, and
        // key 4 back to its bucket, slot 4. Every key is found at its row.
        XCTAssertTrue(table.remove(row: 0))
        XCTAssertEqual(table.find(9), 1)
        XCTAssertEqual(table.find(3), 2)
        XCTAssertEqual(table.find(17), 3)
        XCTAssertEqual(table.find(4), 4)
        XCTAssertNil(table.find(1))
        XCTAssertNil(table.find(25), "bucket 1's chain ends where it should")
        // Rows filed after the removal reuse the freed slots and find their way too.
        XCTAssertEqual(table.add(25), 5)
        XCTAssertEqual(table.add(2), 6)
        for (key, row): (UInt64, UInt32) in [(9, 1), (3, 2), (17, 3), (4, 4), (25, 5), (2, 6)] {
            XCTAssertEqual(table.find(key), row, "key \(key)")
        }
    }

    func testAKeyAlreadyFiledKeepsItsFirstRow() {
        var table = table()
        XCTAssertEqual(table.add(5), 0)
        XCTAssertEqual(table.add(13), 1)
        XCTAssertEqual(table.add(5), 0, "the second row of key 5 is not filed")
        XCTAssertEqual(table.index.count, 2)
        XCTAssertFalse(table.remove(row: 2), "an unfiled row is not removed")
        XCTAssertEqual(table.find(5), 0)
    }

    func testKeysAreComparedOnlyWhereTheHashesTopByteAgrees() {
        // Keys 1...5 all start at slot 3; their hashes' top bytes are 1...5, and key 9's top
        // byte is key 1's.
        var keys: [UInt64] = []
        var compared: [UInt64] = []
        var index = RowIndex()
        let hash = { (key: UInt64) -> UInt64 in (key % 8) << 56 | 3 }
        for key: UInt64 in [1, 2, 3, 4, 5] {
            keys.append(key)
            index.insert(UInt32(keys.count - 1), hash: hash(key), unlessFiled: { row in
                compared.append(keys[Int(row)])
                return keys[Int(row)] == key
            }, hashOfRow: { hash(keys[Int($0)]) })
        }
        XCTAssertEqual(compared, [], "no two of them share a top byte")

        let found = index.find(hash: hash(5)) { row in compared.append(keys[Int(row)]); return keys[Int(row)] == 5 }
        XCTAssertEqual(found, 4)
        XCTAssertEqual(compared, [5], "the four rows before it in the cluster are passed by their tags")

        compared = []
        XCTAssertNil(index.find(hash: hash(9)) { row in compared.append(keys[Int(row)]); return keys[Int(row)] == 9 })
        XCTAssertEqual(compared, [1], "only the row whose tag agrees is loaded")
    }

    func testGrowthKeepsEveryRowAndTheLoadUnderSeventyPercent() {
        var table = Table(hash: { $0 &* 0x9E37_79B9_7F4A_7C15 })
        var capacities: Set<Int> = []
        for key in 0..<5000 as Range<UInt64> {
            table.add(key * 3)
            capacities.insert(table.index.capacity)
            XCTAssertLessThanOrEqual(table.index.count * 10, table.index.capacity * 7)
        }
        XCTAssertEqual(capacities.sorted(), (3...13).map { 1 << $0 }, "doubles from 8 to 8,192 slots")
        for key in 0..<5000 as Range<UInt64> {
            XCTAssertEqual(table.find(key * 3), UInt32(key))
            XCTAssertNil(table.find(key * 3 + 1))
        }
    }

    func testReservedCapacityHoldsThatManyRowsWithoutGrowing() {
        var table = table()
        table.index.reserveCapacity(1000, hashOfRow: { _ in XCTFail("an empty index hashes nothing"); return 0 })
        let capacity = table.index.capacity
        XCTAssertEqual(capacity, 2048)
        for key in 0..<1000 as Range<UInt64> { table.add(key &* 0x9E37_79B9_7F4A_7C15) }
        XCTAssertEqual(table.index.capacity, capacity)
        table.index.reserveCapacity(10, hashOfRow: { _ in XCTFail("no shrinking"); return 0 })
        XCTAssertEqual(table.index.capacity, capacity)
    }

    /// Past ``RowIndex/largestSinglePart`` slots the index splits into parts that grow on their
    /// own: every row stays reachable, the load stays under 70%, and after the split no insert
    /// hashes more than a part's rows again (the pause a growth costs).
    func testASplitIndexGrowsOnePartAtATime() {
        var hashed = 0
        let mix: (UInt64) -> UInt64 = { RowHash.of($0, 0) }
        var keys: [UInt64] = []
        var index = RowIndex()
        var mostHashedByOneInsert = 0
        for key in 0..<200_000 as Range<UInt64> {
            let row = UInt32(keys.count)
            keys.append(key)
            hashed = 0
            index.insert(row, hash: mix(key), hashOfRow: { hashed += 1; return mix(keys[Int($0)]) })
            if key > UInt64(RowIndex.largestSinglePart) { mostHashedByOneInsert = max(mostHashedByOneInsert, hashed) }
            XCTAssertLessThanOrEqual(index.count * 10, index.capacity * 7 + 7 * RowIndex.partCount * 8)
        }
        XCTAssertGreaterThan(index.capacity, 200_000, "grown past the split")
        XCTAssertLessThan(mostHashedByOneInsert, 200_000 / 64, "one part's rows at a time, not the index's")
        for key in keys {
            XCTAssertEqual(index.find(hash: mix(key)) { keys[Int($0)] == key }, UInt32(key))
            XCTAssertNil(index.find(hash: mix(key + 1_000_000)) { keys[Int($0)] == key + 1_000_000 })
        }
        var removed = 0
        for key in stride(from: 0, to: 200_000, by: 7) {
            XCTAssertTrue(index.remove(UInt32(key), hash: mix(UInt64(key)), hashOfRow: { mix(keys[Int($0)]) }))
            removed += 1
        }
        XCTAssertEqual(index.count, 200_000 - removed)
        for key in 0..<200_000 where key % 7 != 0 {
            XCTAssertEqual(index.find(hash: mix(UInt64(key))) { keys[Int($0)] == UInt64(key) }, UInt32(key))
        }
    }

    func testReservingPastTheSplitHoldsThatManyRowsWithoutGrowing() {
        let mix: (UInt64) -> UInt64 = { RowHash.of($0, 1) }
        var index = RowIndex()
        index.reserveCapacity(100_000, hashOfRow: { _ in XCTFail("an empty index hashes nothing"); return 0 })
        let capacity = index.capacity
        for key in 0..<100_000 as Range<UInt64> {
            index.insert(UInt32(key), hash: mix(key), hashOfRow: { _ in XCTFail("grew at row \(key)"); return 0 })
        }
        XCTAssertEqual(index.capacity, capacity)
        XCTAssertLessThan(capacity, 100_000 * 4, "not more than twice a single table's slots")
    }

    func testRenumberingAfterACompactionKeepsEveryKey() {
        var table = table()
        for key in 0..<40 as Range<UInt64> { table.add(key * 5) }
        for row in stride(from: 0, to: 40, by: 3) { table.remove(row: UInt32(row)) }
        table.compact()
        let kept = (0..<40).filter { $0 % 3 != 0 }
        XCTAssertEqual(table.index.count, kept.count)
        for (newRow, old) in kept.enumerated() { XCTAssertEqual(table.find(UInt64(old) * 5), UInt32(newRow), "key \(old * 5)") }
        for old in stride(from: 0, to: 40, by: 3) { XCTAssertNil(table.find(UInt64(old) * 5)) }
    }

    /// Random inserts, removals, lookups and compactions against a dictionary of the first
    /// row of each key, with a fixed seed. Hashes' low 56 bits take 64 values just below
    /// 2^56, so every table size puts them in its last 64 buckets: clusters are long and wrap
    /// around the end. Their top byte (the slot's tag) is one of five, so rows that shift back
    /// over a removed one carry tags that differ from their neighbours' and some that agree.
    func testAgreesWithADictionaryUnderRandomOperations() {
        var random = SplitMix64(seed: 0x5EED_0007)
        var table = Table(hash: { ($0 % 5) << 56 | ((UInt64.max >> 8) - ($0 &* 0x9E37_79B9_7F4A_7C15) >> 58) })
        var model: [UInt64: UInt32] = [:]
        for step in 0..<20_000 {
            let key = random.next() % 300
            switch random.next() % 10 {
            case 0..<4:
                let row = table.add(key)
                if model[key] == nil { model[key] = UInt32(table.keys.count - 1) }
                XCTAssertEqual(row, model[key], "step \(step): add \(key)")
            case 4..<7:
                guard let row = model[key] else {
                    XCTAssertNil(table.find(key), "step \(step): absent \(key)")
                    continue
                }
                XCTAssertTrue(table.remove(row: row), "step \(step): remove \(key)")
                model[key] = nil
            case 7:
                if table.keys.count > 200 {
                    let before = table.keys
                    table.compact()
                    let newRows = Dictionary(uniqueKeysWithValues: before.enumerated().filter { $0.element != nil }.enumerated().map {
                        (UInt32($0.element.offset), UInt32($0.offset))
                    })
                    model = model.mapValues { newRows[$0]! }
                }
            default:
                XCTAssertEqual(table.find(key), model[key], "step \(step): find \(key)")
            }
            XCTAssertEqual(table.index.count, model.count, "step \(step)")
        }
        for (key, row) in model { XCTAssertEqual(table.find(key), row, "key \(key)") }
    }
}
