/// One open-addressed table of a ``RowIndex``: the rows whose hashes select this part.
///
/// A slot is the row's number (4 bytes) and a tag byte: the key is not stored a second time.
/// So the caller gives each operation the key's hash and, to tell keys apart, a `matches`
/// closure that compares the key with the one in the row. The tag keeps the top 8 bits of the
/// row's hash, and `matches` is asked only where the tag agrees: a probe that meets other rows
/// (about 2 of them at 50% full, 6 at 70% when inserting) would otherwise load each of those
/// rows from memory to compare keys, a cache miss apiece; with tags, 1 in 256 of them.
///
/// Linear probing over a power-of-two number of slots, grown (doubled, every row hashed again
/// through the caller's `hashOfRow`) before it is more than 70% full. Removal shifts the rest
/// of the cluster back instead of leaving a tombstone, so a long life of inserts and removes
/// never lengthens the probes. The bucket is the hash's low bits.
///
/// A value type, copied on write; not thread-safe. Rows are `0..<UInt32.max`.
struct RowIndexPart {
    /// Marks a free slot: the one row number an index cannot hold.
    private static let empty = UInt32.max
    /// The smallest table allocated: a project with a handful of events stays small.
    private static let minimumCapacity = 8

    /// `empty` or a row; the count is zero or a power of two.
    private var slots: ContiguousArray<UInt32> = []
    /// The ``tag(of:)`` of each slot's row's hash, parallel to `slots` (any value where empty).
    private var tags: ContiguousArray<UInt8> = []

    /// The rows held.
    private(set) var count = 0

    /// Whether one more row would make the table grow (rehash every row it holds).
    var isFull: Bool { !Self.canHold(count + 1, in: slots.count) }

    /// The slots allocated, 5 bytes each with their tags: what the index costs in memory.
    var capacity: Int { slots.count }

    /// The row filed under `hash` for which `matches` holds, nil when there is none.
    func find(hash: UInt64, where matches: (UInt32) -> Bool) -> UInt32? {
        let tag = Self.tag(of: hash)
        return slots.withUnsafeBufferPointer { slots in
            tags.withUnsafeBufferPointer { tags in
                guard !slots.isEmpty else { return nil }
                let mask = slots.count - 1
                var slot = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let row = slots[slot]
                    if row == Self.empty { return nil }
                    if tags[slot] == tag, matches(row) { return row }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// Files `row` under `hash`, unless a row that `matches` is already filed there.
    ///
    /// `hashOfRow` gives the hash of any row already held; it is called only when the table
    /// grows.
    ///
    /// - Returns: the row already filed (and `row` is not added), or nil when `row` was added.
    @discardableResult
    mutating func insert(
        _ row: UInt32, hash: UInt64, unlessFiled matches: (UInt32) -> Bool, hashOfRow: (UInt32) -> UInt64
    ) -> UInt32? {
        precondition(row != Self.empty, "row \(row) is reserved for empty slots")
        if isFull { rehash(capacity: Self.capacity(for: count + 1), hashOfRow: hashOfRow) }
        let tag = Self.tag(of: hash)
        let filed: UInt32? = slots.withUnsafeMutableBufferPointer { slots in
            tags.withUnsafeMutableBufferPointer { tags in
                let mask = slots.count - 1
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot] != Self.empty {
                    if tags[slot] == tag, matches(slots[slot]) { return slots[slot] }
                    slot = (slot + 1) & mask
                }
                slots[slot] = row
                tags[slot] = tag
                return nil
            }
        }
        if filed == nil { count += 1 }
        return filed
    }

    /// Takes `row`, filed under `hash`, out; rows after it in its cluster move back (their
    /// hashes from `hashOfRow`), so no probe ever walks over a removed slot.
    ///
    /// - Returns: whether `row` was filed under `hash`.
    @discardableResult
    mutating func remove(_ row: UInt32, hash: UInt64, hashOfRow: (UInt32) -> UInt64) -> Bool {
        let removed = slots.withUnsafeMutableBufferPointer { slots in
            tags.withUnsafeMutableBufferPointer { tags in
                guard !slots.isEmpty else { return false }
                let mask = slots.count - 1
                var hole = Int(truncatingIfNeeded: hash) & mask
                while slots[hole] != row {
                    if slots[hole] == Self.empty { return false }
                    hole = (hole + 1) & mask
                }
                var next = (hole + 1) & mask
                while slots[next] != Self.empty {
                    // The row at `next` may fill the hole when the hole lies on its probe path,
                    // from its own bucket up to `next` (distances taken around the end).
                    let bucket = Int(truncatingIfNeeded: hashOfRow(slots[next])) & mask
                    if (next &- bucket) & mask >= (next &- hole) & mask {
                        slots[hole] = slots[next]
                        tags[hole] = tags[next]
                        hole = next
                    }
                    next = (next + 1) & mask
                }
                slots[hole] = Self.empty
                return true
            }
        }
        if removed { count -= 1 }
        return removed
    }

    /// Gives every row its new number, `newRow(row)`, after the caller moved its rows (keys and
    /// so hashes unchanged): no key is hashed again, the layout stays.
    mutating func renumber(_ newRow: (UInt32) -> UInt32) {
        slots.withUnsafeMutableBufferPointer { slots in
            for slot in slots.indices where slots[slot] != Self.empty {
                slots[slot] = newRow(slots[slot])
            }
        }
    }

    /// Calls `body` with every row held, in slot order.
    func forEachRow(_ body: (UInt32) -> Void) {
        for row in slots where row != Self.empty { body(row) }
    }

    /// Makes room for `count` rows, so that inserting up to that many never grows the table.
    mutating func reserveCapacity(_ count: Int, hashOfRow: (UInt32) -> UInt64) {
        guard !Self.canHold(count, in: slots.count) else { return }
        rehash(capacity: Self.capacity(for: count), hashOfRow: hashOfRow)
    }

    /// Whether `count` rows keep `capacity` slots at most 70% full.
    private static func canHold(_ count: Int, in capacity: Int) -> Bool {
        count * 10 <= capacity * 7
    }

    /// The bits of `hash` kept beside its slot: the top ones, which no bucket uses.
    private static func tag(of hash: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: hash >> 56)
    }

    private static func capacity(for count: Int) -> Int {
        var capacity = minimumCapacity
        while !canHold(count, in: capacity) { capacity *= 2 }
        return capacity
    }

    /// Moves every row into a table of `capacity` slots.
    private mutating func rehash(capacity: Int, hashOfRow: (UInt32) -> UInt64) {
        var grown = ContiguousArray(repeating: Self.empty, count: capacity)
        var grownTags = ContiguousArray(repeating: UInt8(0), count: capacity)
        grown.withUnsafeMutableBufferPointer { grown in
            grownTags.withUnsafeMutableBufferPointer { grownTags in
                let mask = capacity - 1
                for row in slots where row != Self.empty {
                    let hash = hashOfRow(row)
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while grown[slot] != Self.empty { slot = (slot + 1) & mask }
                    grown[slot] = row
                    grownTags[slot] = Self.tag(of: hash)
                }
            }
        }
        slots = grown
        tags = grownTags
    }
}
