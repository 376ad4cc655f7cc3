import DequeModule

/// A project's idempotency records: found by key digest, forgotten oldest first.
///
/// Every record lives for the same window from the moment it is made, so records expire in the
/// order they were made: a queue in creation order, popped from the front, replaces a timer per
/// record. That keeps a million records out of the shard's timing wheel (whose cascades would
/// otherwise move them between levels along with the receipts) and costs one comparison per
/// expiry. Should the window change between two runs, a record made under the longer window
/// keeps the ones behind it a little longer; none is forgotten early.
///
/// The queue's order is also the order a snapshot writes, which replaying the journal
/// reproduces: equal states encode to equal bytes.
struct IdempotencyTable {
    private var records: Deque<IdempotencyRecord> = []
    /// The position of each live record, counted from the first record this table ever held.
    private var positions: [IdempotencyKeyDigest: Int] = [:]
    /// The position of `records.first`.
    private var firstPosition = 0

    var count: Int { records.count }

    /// The live records, oldest first.
    var live: Deque<IdempotencyRecord> { records }

    func record(for digest: IdempotencyKeyDigest) -> IdempotencyRecord? {
        positions[digest].map { records[$0 - firstPosition] }
    }

    /// Adds `record`, newest; its key must have no live record.
    mutating func append(_ record: IdempotencyRecord) {
        positions[record.keyDigest] = firstPosition + records.count
        records.append(record)
    }

    /// Forgets the records at the front that expire at or before `now` (milliseconds).
    ///
    /// - Returns: how many it forgot.
    @discardableResult
    mutating func forget(through now: Int64) -> Int {
        var forgotten = 0
        while let first = records.first, first.expiresAt <= now {
            positions[first.keyDigest] = nil
            records.removeFirst()
            firstPosition += 1
            forgotten += 1
        }
        return forgotten
    }

    mutating func reserveCapacity(_ count: Int) {
        records.reserveCapacity(count)
        positions.reserveCapacity(count)
    }
}
