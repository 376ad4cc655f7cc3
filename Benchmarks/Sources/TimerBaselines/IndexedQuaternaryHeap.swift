/// A deadline in an ``IndexedQuaternaryHeap``: a class the caller allocates once; the heap
/// records the entry's position in it, so that cancelling needs no search.
public final class HeapEntry {
    /// Milliseconds since the Unix epoch at which the entry is due.
    public let deadline: Int64
    /// The entry's index in the heap's storage, or `HeapEntry.notScheduled`.
    fileprivate(set) var heapIndex = HeapEntry.notScheduled

    fileprivate static let notScheduled = -1

    public init(deadline: Int64) {
        self.deadline = deadline
    }

    /// True while the entry waits in a heap: neither cancelled nor expired yet.
    public var isScheduled: Bool { heapIndex != Self.notScheduled }
}

/// The baseline the timing wheel is measured against: a 4-ary min-heap on deadlines whose
/// entries know their own index, the usual choice for a timer queue.
///
/// Costs: ``schedule(_:)`` and ``cancel(_:)`` are O(log₄ n), a cancel moving the last entry into
/// the hole and sifting it up or down, without a search; ``expire(through:_:)`` is O(log₄ n)
/// per expired entry and O(1) when nothing is due. A 4-ary heap is half as deep as a binary
/// one, and each node keeps its deadline next to the entry, so that comparing a node's four
/// adjacent children reads no entry: only the entries that move are touched.
///
/// Unlike the wheel, it orders by the exact millisecond and has no tick. Not thread-safe.
public final class IndexedQuaternaryHeap {
    private struct Node {
        let deadline: Int64
        let entry: HeapEntry
    }

    private var nodes: ContiguousArray<Node> = []

    /// - Parameter capacity: how many entries to reserve room for, so that scheduling up to
    ///   that many does not grow the storage.
    public init(capacity: Int) {
        nodes.reserveCapacity(capacity)
    }

    /// Entries scheduled and neither cancelled nor expired.
    public var count: Int { nodes.count }

    /// - Precondition: `entry` is in no heap.
    public func schedule(_ entry: HeapEntry) {
        precondition(!entry.isScheduled, "entry is already scheduled")
        let node = Node(deadline: entry.deadline, entry: entry)
        nodes.append(node)
        siftUp(node, from: nodes.count - 1)
    }

    /// Removes `entry` if it is in this heap.
    ///
    /// - Returns: false when the entry had already expired or been cancelled.
    @discardableResult
    public func cancel(_ entry: HeapEntry) -> Bool {
        let index = entry.heapIndex
        guard index != HeapEntry.notScheduled, nodes[index].entry === entry else { return false }
        entry.heapIndex = HeapEntry.notScheduled
        let last = nodes.removeLast()
        guard index < nodes.count else { return true }  // `entry` was the last one
        if index > 0, last.deadline < nodes[parent(of: index)].deadline {
            siftUp(last, from: index)
        } else {
            siftDown(last, from: index)
        }
        return true
    }

    /// Removes every entry with `deadline ≤ now` and hands each to `expired`, earliest first.
    public func expire(through now: Int64, _ expired: (HeapEntry) -> Void) {
        while let first = nodes.first, first.deadline <= now {
            first.entry.heapIndex = HeapEntry.notScheduled
            let last = nodes.removeLast()
            if !nodes.isEmpty {
                siftDown(last, from: 0)
            }
            expired(first.entry)
        }
    }

    private func parent(of index: Int) -> Int { (index - 1) >> 2 }

    /// Moves `node`, destined for the hole at `index`, towards the root past later parents.
    private func siftUp(_ node: Node, from index: Int) {
        var hole = index
        while hole > 0 {
            let parentIndex = parent(of: hole)
            guard node.deadline < nodes[parentIndex].deadline else { break }
            place(nodes[parentIndex], at: hole)
            hole = parentIndex
        }
        place(node, at: hole)
    }

    /// Moves `node`, destined for the hole at `index`, towards the leaves past earlier children.
    private func siftDown(_ node: Node, from index: Int) {
        var hole = index
        let count = nodes.count
        while true {
            let firstChild = 4 * hole + 1
            guard firstChild < count else { break }
            var earliest = firstChild
            for child in (firstChild + 1)..<min(firstChild + 4, count)
            where nodes[child].deadline < nodes[earliest].deadline {
                earliest = child
            }
            guard nodes[earliest].deadline < node.deadline else { break }
            place(nodes[earliest], at: hole)
            hole = earliest
        }
        place(node, at: hole)
    }

    private func place(_ node: Node, at index: Int) {
        nodes[index] = node
        node.entry.heapIndex = index
    }
}
