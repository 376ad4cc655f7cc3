/// A project's idempotency records: found by key digest, forgotten oldest first.
///
/// Every record lives for the same window from the moment it is made, so records expire in the
/// order they were made: a queue in creation order, popped from the front, replaces a timer per
/// record. That keeps a million records out of the shard's timing wheel (whose cascades would
/// otherwise move them between levels along with the receipts) and costs one comparison per
/// expiry. Should the window change between two runs, a record made under the longer window
/// keeps the ones behind it a little longer; none expires early. (A receipt's record whose
/// event has left is forgotten early by its caller, ``forgetEarly(_:)``: ``IdempotencyRecord``.)
///
/// The queue's order is also the order a snapshot writes, which replaying the journal
/// reproduces: equal states encode to equal bytes.
struct IdempotencyTable {
    /// Positions count the records this table ever held, modulo 2^31 (``positionMask``): a
    /// long-running table passes 2^32 records, and a ``RowIndex`` holds row numbers below
    /// `UInt32.max`. Live records, each far bigger than a byte, are always far fewer than 2^31,
    /// so a position's distance from `firstPosition` (wrapping) is its offset in `records`.
    private static let positionMask: UInt32 = 0x7FFF_FFFF

    /// Paged, so that growing copies no records.
    private var records = PagedArray<IdempotencyRecord>()
    /// The position of each live record, filed under its digest's ``RowHash``.
    private var positions = RowIndex()
    /// The position of `records.first`.
    private var firstPosition: UInt32 = 0

    /// An empty table that has already held `firstPosition` records (0 for a new one): tests
    /// start near the wrap of the position counter instead of appending 2^31 records.
    init(firstPosition: UInt32 = 0) {
        self.firstPosition = firstPosition & Self.positionMask
    }

    var count: Int { records.count }

    /// The records not yet expired, oldest first: those forgotten early, or whose event has
    /// left, included (a snapshot leaves those out, ``IdempotencyRecord``).
    var live: PagedArray<IdempotencyRecord> { records }

    func record(for digest: IdempotencyKeyDigest) -> IdempotencyRecord? {
        position(of: digest).map { records[Self.offset(of: $0, from: firstPosition)] }
    }

    /// Forgets the record of `digest` before its time (the event its answer names has left):
    /// the key is new again. The record stays in the queue, found by nothing, until its expiry
    /// takes it out.
    mutating func forgetEarly(_ digest: IdempotencyKeyDigest) {
        guard let position = position(of: digest) else { return }
        positions.remove(position, hash: digest.rowHash, hashOfRow: { records[Self.offset(of: $0, from: firstPosition)].keyDigest.rowHash })
    }

    private func position(of digest: IdempotencyKeyDigest) -> UInt32? {
        positions.find(hash: digest.rowHash) { records[Self.offset(of: $0, from: firstPosition)].keyDigest == digest }
    }

    /// Adds `record`, newest; its key must have no record ``record(for:)`` finds.
    mutating func append(_ record: IdempotencyRecord) {
        let position = (firstPosition &+ UInt32(records.count)) & Self.positionMask
        records.append(record)
        positions.insert(position, hash: record.keyDigest.rowHash, hashOfRow: { records[Self.offset(of: $0, from: firstPosition)].keyDigest.rowHash })
    }

    /// Forgets the records at the front that expire at or before `now` (milliseconds).
    ///
    /// - Returns: how many it forgot.
    @discardableResult
    mutating func forget(through now: Int64) -> Int {
        var forgotten = 0
        while let first = records.first, first.expiresAt <= now {
            // Not filed any more when it was forgotten early.
            positions.remove(firstPosition, hash: first.keyDigest.rowHash, hashOfRow: { records[Self.offset(of: $0, from: firstPosition)].keyDigest.rowHash })
            records.removeFirst()
            firstPosition = (firstPosition &+ 1) & Self.positionMask
            forgotten += 1
        }
        return forgotten
    }

    mutating func reserveCapacity(_ count: Int) {
        records.reserveCapacity(count)
        positions.reserveCapacity(count, hashOfRow: { records[Self.offset(of: $0, from: firstPosition)].keyDigest.rowHash })
    }

    /// Where the record at `position` is in `records`, whose first is at `firstPosition`.
    private static func offset(of position: UInt32, from firstPosition: UInt32) -> Int {
        Int((position &- firstPosition) & positionMask)
    }
}
