import XCTest
@testable import SendPromptlyCore

private final class ReleaseCounter {
    var released = 0
}

private final class Tracked {
    let counter: ReleaseCounter
    init(_ counter: ReleaseCounter) { self.counter = counter }
    deinit { counter.released += 1 }
}

final class PagedArrayTests: XCTestCase {
    let pageSize = PagedArray<Int>.pageSize

    func assertEqual(_ queue: PagedArray<Int>, _ model: ArraySlice<Int>,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(queue.count, model.count, file: file, line: line)
        XCTAssertEqual(queue.isEmpty, model.isEmpty, file: file, line: line)
        XCTAssertEqual(queue.first, model.first, file: file, line: line)
        XCTAssertEqual(Array(queue), Array(model), "iteration", file: file, line: line)
        let bySubscript = (0..<queue.count).map { queue[$0] }
        XCTAssertEqual(bySubscript, Array(model), "subscript", file: file, line: line)
    }

    func testEmpty() {
        let queue = PagedArray<Int>()
        XCTAssertEqual(PagedArray<Int>.pageSize, 4096)
        assertEqual(queue, [])
    }

    func testAppendAcrossPageBoundaries() {
        var queue = PagedArray<Int>()
        var model: [Int] = []
        for i in 0..<(3 * pageSize + 17) {
            queue.append(i * 7)
            model.append(i * 7)
            XCTAssertEqual(queue.count, model.count)
            XCTAssertEqual(queue[i], i * 7)
        }
        assertEqual(queue, model[...])
    }

    /// A FIFO workload that alternates between growing to a few pages and
    /// draining to empty. Cheap checks run after every step; the full
    /// comparison (every index and the iterator) runs every 1024 steps and
    /// whenever the queue empties, to keep the test fast in debug builds.
    func testRandomFIFOAgainstModel() {
        var rng = SplitMix64(seed: 0x5EED)
        var queue = PagedArray<Int>()
        var model: [Int] = []
        var modelHead = 0
        var next = 0
        var emptiedAfterUse = 0
        var step = 0
        for cycle in 0..<4 {
            let target = 3 * pageSize + Int.random(in: 0..<pageSize, using: &rng)
            for appendProbability in [0.7, 0.3] {
                let growing = appendProbability > 0.5
                while growing ? queue.count < target : !queue.isEmpty {
                    step += 1
                    if queue.isEmpty || Double.random(in: 0..<1, using: &rng) < appendProbability {
                        queue.append(next)
                        model.append(next)
                        next += 1
                    } else {
                        XCTAssertEqual(queue.removeFirst(), model[modelHead])
                        modelHead += 1
                    }
                    let live = model[modelHead...]
                    XCTAssertEqual(queue.count, live.count)
                    XCTAssertEqual(queue.first, live.first)
                    if let last = live.last {
                        XCTAssertEqual(queue[queue.count - 1], last)
                        let i = Int.random(in: 0..<live.count, using: &rng)
                        XCTAssertEqual(queue[i], live[modelHead + i])
                    }
                    if step % 1024 == 0 || queue.isEmpty {
                        assertEqual(queue, live)
                    }
                }
            }
            XCTAssertTrue(queue.isEmpty, "cycle \(cycle) drained")
            emptiedAfterUse += 1
        }
        XCTAssertEqual(emptiedAfterUse, 4)
        XCTAssertGreaterThan(next, 12 * pageSize, "crossed many page boundaries")
        // Refill after the last drain.
        for i in 0..<(pageSize + 1) { queue.append(i) }
        assertEqual(queue, Array(0..<(pageSize + 1))[...])
    }

    func testSubscriptSetInPlaceAndCopyOnWrite() {
        var queue = PagedArray<Int>()
        for i in 0..<(2 * pageSize + 5) { queue.append(i) }
        _ = queue.removeFirst()  // Make the front offset non-zero.
        let index = pageSize + 3  // Lives in page 1 (offset 1 + index).
        let pageBefore = queue.pageBaseAddress(1)

        queue[index] = -1
        XCTAssertEqual(queue[index], -1)
        XCTAssertEqual(queue.pageBaseAddress(1), pageBefore, "unique page is mutated in place")

        let copy = queue
        queue[index] = -2
        queue[0] += 100  // Through `_modify`.
        XCTAssertEqual(queue[index], -2)
        XCTAssertEqual(queue[0], 101)
        XCTAssertEqual(copy[index], -1, "copy made before the set does not see it")
        XCTAssertEqual(copy[0], 1)
        XCTAssertEqual(copy.pageBaseAddress(1), pageBefore, "copy keeps the original page")
        XCTAssertNotEqual(queue.pageBaseAddress(1), pageBefore, "the writer copied the shared page")
    }

    func testValueSemanticsOfAppendAndRemoveFirst() {
        var queue = PagedArray<Int>()
        for i in 0..<(pageSize + 2) { queue.append(i) }
        let snapshot = queue
        for _ in 0..<(pageSize + 1) { queue.removeFirst() }
        queue.append(-1)
        assertEqual(snapshot, Array(0..<(pageSize + 2))[...])
        assertEqual(queue, [pageSize + 1, -1])
    }

    func testIterationOrderAfterRemoveFirst() {
        var queue = PagedArray<Int>()
        var model: [Int] = []
        for i in 0..<(2 * pageSize + 9) {
            queue.append(i)
            model.append(i)
        }
        for removed in [0, 1, pageSize - 2, 1, 1, pageSize] {
            for _ in 0..<removed { XCTAssertEqual(queue.removeFirst(), model.removeFirst()) }
            XCTAssertEqual(Array(queue), model)
            XCTAssertEqual(queue.underestimatedCount, model.count)
        }
    }

    /// Documented bound: removed elements are released when their page is
    /// dropped (at most `pageSize - 1` retained), and all of them once the
    /// queue is empty.
    func testRemovedElementsAreReleased() {
        let counter = ReleaseCounter()
        let total = 3 * pageSize + 17
        var queue = PagedArray<Tracked>()
        for _ in 0..<total { queue.append(Tracked(counter)) }
        XCTAssertEqual(counter.released, 0)

        for _ in 0..<(pageSize - 1) { queue.removeFirst() }
        XCTAssertEqual(counter.released, 0, "front page not yet consumed: pageSize - 1 retained")
        queue.removeFirst()
        XCTAssertEqual(counter.released, pageSize, "consumed page dropped")

        for _ in 0..<(pageSize + 10) { queue.removeFirst() }
        XCTAssertEqual(counter.released, 2 * pageSize, "10 removed elements retained by their page")

        while !queue.isEmpty { queue.removeFirst() }
        XCTAssertEqual(counter.released, total, "emptying releases everything")

        for _ in 0..<(pageSize + 1) { queue.append(Tracked(counter)) }
        queue.removeAll()
        XCTAssertEqual(counter.released, total + pageSize + 1, "removeAll releases everything")
        XCTAssertTrue(queue.isEmpty)
    }

    func testGrowthNeverMovesExistingPages() {
        var queue = PagedArray<Int>()
        for i in 0..<(2 * pageSize) { queue.append(i) }
        let before = (0..<2).map { queue.pageBaseAddress($0) }
        XCTAssertNotNil(before[0])

        // 64 more pages: the outer array of page references reallocates
        // several times along the way.
        for i in 0..<(64 * pageSize) { queue.append(i) }
        XCTAssertEqual((0..<2).map { queue.pageBaseAddress($0) }, before)
        XCTAssertEqual(queue[pageSize + 1], pageSize + 1)

        // The last page, filled one append at a time, is never reallocated either.
        queue.append(0)
        let lastPage = 66
        let lastBefore = queue.pageBaseAddress(lastPage)
        for i in 1..<pageSize { queue.append(i) }
        XCTAssertEqual(queue.pageBaseAddress(lastPage), lastBefore)
    }

    /// A write into a copy's shared last page copies that page with room for its elements
    /// only. The next append makes it a full page again, after which it stays where it is.
    func testAPageCopiedOnWriteIsAFullPageAgain() {
        var queue = PagedArray<Int>()
        for i in 0..<(pageSize + 10) { queue.append(i) }
        var copy = queue
        copy[pageSize + 5] = -5
        copy.append(-1)
        copy.append(-2)
        let settled = copy.pageBaseAddress(1)
        for i in 0..<(pageSize - 12) { copy.append(i) }
        XCTAssertEqual(copy.pageBaseAddress(1), settled, "filled to the end without moving")
        XCTAssertEqual(copy.count, 2 * pageSize)
        XCTAssertEqual(queue.count, pageSize + 10, "the original is untouched")
        XCTAssertEqual(queue[pageSize + 5], pageSize + 5)
        XCTAssertEqual(copy[pageSize + 5], -5)
        XCTAssertEqual(copy[pageSize + 10], -1)
    }

    func testReserveCapacityKeepsContents() {
        var queue = PagedArray<Int>()
        for i in 0..<10 { queue.append(i) }
        queue.removeFirst()
        queue.reserveCapacity(1_000_000)
        assertEqual(queue, Array(1..<10)[...])
    }
}
