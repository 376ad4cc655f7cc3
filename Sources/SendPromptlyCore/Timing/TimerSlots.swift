/// One deadline's node in a bucket's circular doubly linked list (the role of Kafka's
/// `TimerTaskEntry`), or, for the first slots, a bucket's sentinel. 32 bytes, no references;
/// the slot's back link and generation are kept apart (``TimerSlots``).
struct TimerSlot {
    /// The tick at which the wheel hands the deadline over; ``notScheduled`` while the slot is
    /// free.
    var expiryTick: Int64
    var high: UInt64
    var low: UInt64
    var owner: UInt32
    var next: UInt32

    static let notScheduled = Int64.min
}

/// The storage of a ``TimingWheel``: slots in fixed pages, a free list, and the list operations
/// of its buckets (the role of Kafka's `TimerTaskList`).
///
/// Written by hand because a deadline per pending receipt must cost a few words, not an object:
/// slots are plain values addressed by a 32-bit index, linked by index, so a million deadlines
/// are about 250 pages and no reference counting. Pages never move, so growing copies nothing
/// (no pause while a large array doubles) and leaves no freed buffer behind; a freed slot goes
/// to the front of the free list, and the next schedule reuses it while it is still in cache.
/// Pages are kept until the wheel goes away.
///
/// A slot's back link is a column of its own, 4 bytes a slot, for what a cancel writes.
/// Unlinking a slot writes its successor's back link, and when results come in the order of
/// their receipts the successor joined the bucket long after the cancelled slot: in a level-1
/// bucket hundreds of schedules later, so hundreds of slots further on. In 40-byte slots that
/// was a cache miss per such cancel at millions of pending deadlines; in a 4-byte column it is
/// a kilobyte or so ahead of the cancels' own sequential sweep, where the hardware prefetcher
/// already has it (insert-cancel at 10⁷ pending went from 1.9–2.7x its time at 10³ to
/// 1.15–1.2x; Benchmarks/README.md). The generation is a column too, so that a slot is 32 bytes
/// and a deadline 40 in all, as before.
///
/// Not thread-safe; the wheel's owner serialises all access.
struct TimerSlots: ~Copyable {
    private static let noSlot = UInt32.max

    /// The mutable state, behind a pointer that never changes: the wheel holds this value as a
    /// constant, so that its hot paths pay neither reference counting on a page array nor
    /// run-time exclusivity checks on a stored property.
    private struct Header {
        var slots: SlotColumn<TimerSlot>
        /// Each slot's predecessor in its bucket.
        var previous: SlotColumn<UInt32>
        /// Bumped whenever the slot is taken, so that handles to its earlier deadlines go stale.
        var generation: SlotColumn<UInt32>
        var pageCapacity: Int
        var pageCount: Int
        /// Slots handed out or on the free list so far; slots beyond wait in the last page.
        var used: UInt32
        var freeHead: UInt32
    }

    private let header: UnsafeMutablePointer<Header>

    /// Makes `sentinels` empty buckets, slots `0..<sentinels`.
    init(sentinels: Int) {
        let pageCapacity = 16
        header = .allocate(capacity: 1)
        header.initialize(to: Header(
            slots: SlotColumn(pageCapacity: pageCapacity), previous: SlotColumn(pageCapacity: pageCapacity),
            generation: SlotColumn(pageCapacity: pageCapacity), pageCapacity: pageCapacity, pageCount: 0, used: 0,
            freeHead: Self.noSlot))
        for _ in 0..<sentinels {
            let index = take()
            pointer(index).pointee.next = index
            header.pointee.previous[index].pointee = index
        }
    }

    deinit {
        header.pointee.slots.deallocate(pageCount: header.pointee.pageCount)
        header.pointee.previous.deallocate(pageCount: header.pointee.pageCount)
        header.pointee.generation.deallocate(pageCount: header.pointee.pageCount)
        header.deallocate()
    }

    /// Slots handed out so far, sentinels included: every valid index is below it.
    var count: UInt32 { header.pointee.used }

    /// Where slot `index` lives: valid until the wheel goes away (pages never move).
    @inline(__always)
    func pointer(_ index: UInt32) -> UnsafeMutablePointer<TimerSlot> {
        header.pointee.slots[index]
    }

    /// Slot `index`'s generation: a handle to it names the generation it was scheduled in.
    @inline(__always)
    func generation(of index: UInt32) -> UInt32 {
        header.pointee.generation[index].pointee
    }

    /// A free slot, in its next generation: a handle to a deadline it held before matches
    /// again only after 2^32 more reuses of the slot. (Bumped here, not when the slot is freed:
    /// a slot is taken again soon after it is freed, its generation then usually in cache, where
    /// an expiry frees slots in whatever order they were scheduled in.)
    func take() -> UInt32 {
        let index: UInt32
        if header.pointee.freeHead != Self.noSlot {
            index = header.pointee.freeHead
            header.pointee.freeHead = pointer(index).pointee.next
        } else {
            index = header.pointee.used
            precondition(index < Self.noSlot, "a timing wheel holds fewer than 2^32 deadlines")
            if Int(index) == header.pointee.pageCount * SlotColumn<TimerSlot>.pageSize { addPage() }
            header.pointee.used = index + 1
        }
        header.pointee.generation[index].pointee &+= 1
        return index
    }

    private func addPage() {
        if header.pointee.pageCount == header.pointee.pageCapacity {
            let capacity = 2 * header.pointee.pageCapacity
            header.pointee.slots.growPageTable(from: header.pointee.pageCount, to: capacity)
            header.pointee.previous.growPageTable(from: header.pointee.pageCount, to: capacity)
            header.pointee.generation.growPageTable(from: header.pointee.pageCount, to: capacity)
            header.pointee.pageCapacity = capacity
        }
        let page = header.pointee.pageCount
        header.pointee.slots.addPage(
            page, filledWith: TimerSlot(expiryTick: TimerSlot.notScheduled, high: 0, low: 0, owner: 0, next: 0))
        header.pointee.previous.addPage(page, filledWith: 0)
        header.pointee.generation.addPage(page, filledWith: 0)
        header.pointee.pageCount += 1
    }

    /// Returns an unlinked slot to the free list. A handle to the deadline it held no longer
    /// matches a scheduled deadline: the slot is not scheduled until it is taken again, in its
    /// next generation.
    func free(_ index: UInt32) {
        pointer(index).pointee.next = header.pointee.freeHead
        header.pointee.freeHead = index
    }

    /// Links `entry` at the end of the bucket whose sentinel is `bucket`.
    @inline(__always)
    func append(_ entry: UInt32, to bucket: UInt32) {
        let sentinelsPrevious = header.pointee.previous[bucket]
        let last = sentinelsPrevious.pointee
        header.pointee.previous[entry].pointee = last
        pointer(entry).pointee.next = bucket
        pointer(last).pointee.next = entry
        sentinelsPrevious.pointee = entry
    }

    /// Unlinks `entry` from the bucket that holds it and marks it not scheduled.
    @inline(__always)
    func unlink(_ entry: UInt32) {
        let slot = pointer(entry)
        let before = header.pointee.previous[entry].pointee
        let after = slot.pointee.next
        pointer(before).pointee.next = after
        header.pointee.previous[after].pointee = before
        slot.pointee.expiryTick = TimerSlot.notScheduled
    }

    /// Unlinks the first entry of `bucket` and marks it not scheduled, as ``unlink(_:)`` does,
    /// but without reading the entry's back link (it is the sentinel); nil when the bucket is
    /// empty.
    @inline(__always)
    func removeFirst(of bucket: UInt32) -> UInt32? {
        let sentinel = pointer(bucket)
        let first = sentinel.pointee.next
        guard first != bucket else { return nil }
        let slot = pointer(first)
        let after = slot.pointee.next
        sentinel.pointee.next = after
        header.pointee.previous[after].pointee = bucket
        slot.pointee.expiryTick = TimerSlot.notScheduled
        return first
    }

    /// Empties `bucket` and hands each of its entries to `body` in insertion order, still
    /// holding its old links: `body` must relink it (into this bucket again, too) and may not
    /// touch any other entry of the old list.
    @inline(__always)
    func detachEach(of bucket: UInt32, _ body: (UInt32) -> Void) {
        var cursor = pointer(bucket).pointee.next
        pointer(bucket).pointee.next = bucket
        header.pointee.previous[bucket].pointee = bucket
        while cursor != bucket {
            let entry = cursor
            cursor = pointer(entry).pointee.next
            body(entry)
        }
    }
}

/// One column of ``TimerSlots``: a value per slot, in pages of 4,096 that never move.
private struct SlotColumn<Element> {
    static var pageBits: UInt32 { 12 }
    static var pageSize: Int { 1 << pageBits }

    private var pages: UnsafeMutablePointer<UnsafeMutablePointer<Element>>

    init(pageCapacity: Int) {
        pages = .allocate(capacity: pageCapacity)
    }

    /// Where slot `index`'s value lives: valid until the column is deallocated.
    @inline(__always)
    subscript(index: UInt32) -> UnsafeMutablePointer<Element> {
        pages[Int(index &>> Self.pageBits)] + Int(index & UInt32(Self.pageSize - 1))
    }

    /// Moves the page table to room for `capacity` pages; the pages stay where they are.
    mutating func growPageTable(from pageCount: Int, to capacity: Int) {
        let larger = UnsafeMutablePointer<UnsafeMutablePointer<Element>>.allocate(capacity: capacity)
        larger.moveInitialize(from: pages, count: pageCount)
        pages.deallocate()
        pages = larger
    }

    /// Adds page number `page`, which the page table has room for.
    func addPage(_ page: Int, filledWith value: Element) {
        let values = UnsafeMutablePointer<Element>.allocate(capacity: Self.pageSize)
        values.initialize(repeating: value, count: Self.pageSize)
        (pages + page).initialize(to: values)
    }

    func deallocate(pageCount: Int) {
        for page in 0..<pageCount { pages[page].deallocate() }
        pages.deallocate()
    }
}
