/// An open-addressed hash index from keys to row numbers, for tables whose rows already hold
/// their own keys (``EventTable``'s events, ``IdempotencyTable``'s records).
///
/// A slot is the row's number and a tag byte (``RowIndexPart``): the caller gives each
/// operation the key's hash and a closure that compares the key with the one in a row. A Swift
/// dictionary from key to row number would keep key and value in every bucket and a quarter or
/// more of its buckets empty: 40 to 60 bytes an entry for the engine's keys, against 7 to 14
/// here. It would also hash with a fresh SipHash seed per lookup, which restoring a million
/// receipts pays three million times.
///
/// Growing an open-addressed table hashes every row again, in one go: for a million rows that
/// took tens of milliseconds during which the shard answered nothing, the largest part of the
/// ingest path's p99 latency. So a large index is cut into ``partCount`` parts, chosen by bits
/// of the hash that neither a part's buckets (the low bits) nor its tags (the top 8) use, and
/// each part grows on its own, a 256th of the rows at a time. A small index (a project with a
/// few thousand events) is one part, split once it would grow past ``largestSinglePart`` slots,
/// so that it does not pay for 256 tables.
///
/// Hashes must be well mixed and unpredictable to clients (``RowHash``, or `Hasher` for
/// strings a client chooses). Hand-written because neither the standard library nor
/// swift-collections has a hash table that stores only a value and asks the caller for the key.
/// A value type, copied on write; not thread-safe (its table's owner serialises access). Rows
/// are `0..<UInt32.max`.
struct RowIndex {
    static let partCount = 256
    /// A single part grows to this many slots (about 11,000 rows) before the index splits.
    static let largestSinglePart = 1 << 14
    /// The lowest of the 8 hash bits that choose a part: below the tag's, above any bucket's.
    private static let partShift: UInt64 = 48

    /// One part, or ``partCount`` of them.
    private var parts: ContiguousArray<RowIndexPart> = [RowIndexPart()]

    /// The rows held.
    private(set) var count = 0

    /// The slots allocated over all parts, 5 bytes each with their tags: what the index costs
    /// in memory.
    var capacity: Int { parts.reduce(0) { $0 + $1.capacity } }

    /// The row filed under `hash` for which `matches` holds, nil when there is none.
    func find(hash: UInt64, where matches: (UInt32) -> Bool) -> UInt32? {
        parts[part(of: hash)].find(hash: hash, where: matches)
    }

    /// Files `row` under `hash`, unless a row that `matches` is already filed there.
    ///
    /// `hashOfRow` gives the hash of any row already held; it is called only when a part
    /// grows or the index splits.
    ///
    /// - Returns: the row already filed (and `row` is not added), or nil when `row` was added.
    @discardableResult
    mutating func insert(
        _ row: UInt32, hash: UInt64, unlessFiled matches: (UInt32) -> Bool, hashOfRow: (UInt32) -> UInt64
    ) -> UInt32? {
        if parts.count == 1, parts[0].isFull, parts[0].capacity >= Self.largestSinglePart { split(hashOfRow: hashOfRow) }
        let filed = parts[part(of: hash)].insert(row, hash: hash, unlessFiled: matches, hashOfRow: hashOfRow)
        if filed == nil { count += 1 }
        return filed
    }

    /// Files `row` under `hash`; the caller knows that no row of its key is filed.
    mutating func insert(_ row: UInt32, hash: UInt64, hashOfRow: (UInt32) -> UInt64) {
        insert(row, hash: hash, unlessFiled: { _ in false }, hashOfRow: hashOfRow)
    }

    /// Takes `row`, filed under `hash`, out (``RowIndexPart/remove(_:hash:hashOfRow:)``).
    ///
    /// - Returns: whether `row` was filed under `hash`.
    @discardableResult
    mutating func remove(_ row: UInt32, hash: UInt64, hashOfRow: (UInt32) -> UInt64) -> Bool {
        let removed = parts[part(of: hash)].remove(row, hash: hash, hashOfRow: hashOfRow)
        if removed { count -= 1 }
        return removed
    }

    /// Gives every row its new number, `newRow(row)`, after the caller moved its rows (keys and
    /// so hashes unchanged): no key is hashed again, the layout stays.
    mutating func renumber(_ newRow: (UInt32) -> UInt32) {
        for index in parts.indices { parts[index].renumber(newRow) }
    }

    /// Makes room for `count` rows, so that inserting up to that many (spread over the parts as
    /// hashes spread) does not grow the index.
    mutating func reserveCapacity(_ count: Int, hashOfRow: (UInt32) -> UInt64) {
        if parts.count == 1, count * 10 <= Self.largestSinglePart * 7 {
            parts[0].reserveCapacity(count, hashOfRow: hashOfRow)
            return
        }
        if parts.count == 1 { split(hashOfRow: hashOfRow) }
        // A part's share varies by a few standard deviations (√(count/256)) around the mean.
        let share = count / Self.partCount
        let perPart = share + 4 * Int(Double(share).squareRoot()) + 1
        for index in parts.indices { parts[index].reserveCapacity(perPart, hashOfRow: hashOfRow) }
    }

    private func part(of hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> Self.partShift) & (parts.count - 1)
    }

    /// Replaces the single part by ``partCount`` parts and files its rows among them: one
    /// rehash of at most ``largestSinglePart`` slots' rows, once in the index's life.
    private mutating func split(hashOfRow: (UInt32) -> UInt64) {
        let single = parts[0]
        parts = ContiguousArray(repeating: RowIndexPart(), count: Self.partCount)
        // Twice the mean share, so that no part grows while the rows are filed.
        let perPart = 2 * single.count / Self.partCount + 8
        for index in parts.indices { parts[index].reserveCapacity(perPart, hashOfRow: hashOfRow) }
        single.forEachRow { row in
            let hash = hashOfRow(row)
            parts[part(of: hash)].insert(row, hash: hash, unlessFiled: { _ in false }, hashOfRow: hashOfRow)
        }
    }
}
