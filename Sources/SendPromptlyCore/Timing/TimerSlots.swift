/// One deadline's node in a bucket's circular doubly linked list (the role of Kafka's
/// `TimerTaskEntry`), or, for the first slots, a bucket's sentinel. 40 bytes, no references.
struct TimerSlot {
    /// The tick at which the wheel hands the deadline over; ``notScheduled`` while the slot is
    /// free.
    var expiryTick: Int64
    var next: UInt32
    var previous: UInt32
    /// Bumped whenever the slot is freed, so that handles to its earlier deadlines go stale.
    var generation: UInt32
    var owner: UInt32
    var high: UInt64
    var low: UInt64

    static let notScheduled = Int64.min
}

/// The storage of a ``TimingWheel``: slots in fixed pages, a free list, and the list operations
/// of its buckets (the role of Kafka's `TimerTaskList`).
///
/// Written by hand because a deadline per pending receipt must cost a few words, not an object:
/// slots are plain values addressed by a 32-bit index, linked by index, so a million deadlines
/// are about 250 pages and no reference counting. Pages never move, so growing copies
/// nothing (no pause while a large array doubles) and leaves no freed buffer behind; a freed
/// slot goes to the front of the free list, and the next schedule reuses it while it is still
/// in cache. Pages are kept until the wheel goes away.
///
/// Not thread-safe; the wheel's owner serialises all access.
struct TimerSlots: ~Copyable {
    private static let pageBits: UInt32 = 12
    private static let pageSize = 1 << pageBits
    private static let noSlot = UInt32.max

    /// The mutable state, behind a pointer that never changes: the wheel holds this value as a
    /// constant, so that its hot paths pay neither reference counting on a page array nor
    /// run-time exclusivity checks on a stored property.
    private struct Header {
        var pages: UnsafeMutablePointer<UnsafeMutablePointer<TimerSlot>>
        var pageCapacity: Int
        var pageCount: Int
        /// Slots handed out or on the free list so far; slots beyond wait in the last page.
        var used: UInt32
        var freeHead: UInt32
    }

    private let header: UnsafeMutablePointer<Header>

    /// Makes `sentinels` empty buckets, slots `0..<sentinels`.
    init(sentinels: Int) {
        header = .allocate(capacity: 1)
        header.initialize(to: Header(pages: .allocate(capacity: 16), pageCapacity: 16, pageCount: 0, used: 0, freeHead: Self.noSlot))
        for _ in 0..<sentinels {
            let index = take()
            self[index].next = index
            self[index].previous = index
        }
    }

    deinit {
        for page in 0..<header.pointee.pageCount { header.pointee.pages[page].deallocate() }
        header.pointee.pages.deallocate()
        header.deallocate()
    }

    /// Slots handed out so far, sentinels included: every valid index is below it.
    var count: UInt32 { header.pointee.used }

    @inline(__always)
    subscript(index: UInt32) -> TimerSlot {
        unsafeAddress { UnsafePointer(pointer(index)) }
        nonmutating unsafeMutableAddress { pointer(index) }
    }

    /// Where slot `index` lives: valid until the wheel goes away (pages never move).
    @inline(__always)
    func pointer(_ index: UInt32) -> UnsafeMutablePointer<TimerSlot> {
        header.pointee.pages[Int(index &>> Self.pageBits)] + Int(index & UInt32(Self.pageSize - 1))
    }

    /// A free slot, its generation kept from its last use.
    func take() -> UInt32 {
        if header.pointee.freeHead != Self.noSlot {
            let index = header.pointee.freeHead
            header.pointee.freeHead = self[index].next
            return index
        }
        let used = header.pointee.used
        precondition(used < Self.noSlot, "a timing wheel holds fewer than 2^32 deadlines")
        if Int(used) == header.pointee.pageCount * Self.pageSize { addPage() }
        header.pointee.used = used + 1
        return used
    }

    private func addPage() {
        if header.pointee.pageCount == header.pointee.pageCapacity {
            let capacity = 2 * header.pointee.pageCapacity
            let pages = UnsafeMutablePointer<UnsafeMutablePointer<TimerSlot>>.allocate(capacity: capacity)
            pages.moveInitialize(from: header.pointee.pages, count: header.pointee.pageCount)
            header.pointee.pages.deallocate()
            header.pointee.pages = pages
            header.pointee.pageCapacity = capacity
        }
        let page = UnsafeMutablePointer<TimerSlot>.allocate(capacity: Self.pageSize)
        page.initialize(
            repeating: TimerSlot(expiryTick: TimerSlot.notScheduled, next: 0, previous: 0, generation: 0, owner: 0, high: 0, low: 0),
            count: Self.pageSize)
        (header.pointee.pages + header.pointee.pageCount).initialize(to: page)
        header.pointee.pageCount += 1
    }

    /// Returns an unlinked slot to the free list and starts its next generation: a handle to
    /// the deadline it held matches again only after 2^32 more reuses of the slot.
    func free(_ index: UInt32) {
        let slot = pointer(index)
        slot.pointee.generation &+= 1
        slot.pointee.next = header.pointee.freeHead
        header.pointee.freeHead = index
    }

    /// Links `entry` at the end of the bucket whose sentinel is `bucket`.
    @inline(__always)
    func append(_ entry: UInt32, to bucket: UInt32) {
        let sentinel = pointer(bucket)
        let last = sentinel.pointee.previous
        let slot = pointer(entry)
        slot.pointee.previous = last
        slot.pointee.next = bucket
        pointer(last).pointee.next = entry
        sentinel.pointee.previous = entry
    }

    /// Unlinks `entry` from the bucket that holds it and marks it not scheduled.
    @inline(__always)
    func unlink(_ entry: UInt32) {
        let slot = pointer(entry)
        let before = slot.pointee.previous
        let after = slot.pointee.next
        pointer(before).pointee.next = after
        pointer(after).pointee.previous = before
        slot.pointee.expiryTick = TimerSlot.notScheduled
    }

    /// The first entry of `bucket`, nil when it is empty.
    @inline(__always)
    func first(of bucket: UInt32) -> UInt32? {
        let first = self[bucket].next
        return first == bucket ? nil : first
    }

    /// Empties `bucket` and hands each of its entries to `body` in insertion order, still
    /// holding its old links: `body` must relink it (into this bucket again, too) and may not
    /// touch any other entry of the old list.
    @inline(__always)
    func detachEach(of bucket: UInt32, _ body: (UInt32) -> Void) {
        var cursor = self[bucket].next
        self[bucket].next = bucket
        self[bucket].previous = bucket
        while cursor != bucket {
            let entry = cursor
            cursor = self[entry].next
            body(entry)
        }
    }
}
