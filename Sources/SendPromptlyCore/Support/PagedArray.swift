/// An array that grows without ever copying its elements, and doubles as a FIFO queue
/// (``removeFirst()``): the rows of ``EventTable`` and the records of ``IdempotencyTable``.
///
/// `Array`, `ContiguousArray` and `Deque` grow by doubling: the append that
/// crosses the capacity copies the whole buffer in one go. For a table of a
/// million rows that is tens of megabytes copied inside a single call, a
/// latency stall of tens of milliseconds. `PagedArray` stores elements in
/// fixed-size pages of `pageSize` elements instead. A page, once allocated,
/// never reallocates, so an `append` costs at most one page allocation plus,
/// occasionally, the growth of the outer array of page references
/// (8 bytes per page, about 250 pages for a million elements).
///
/// What a caller may rely on:
/// - Value semantics with copy-on-write: copies share pages until one of them
///   mutates; the first mutation copies only the affected page(s).
/// - `append`, `removeFirst`, `subscript`, `first`: O(1), except that
///   `removeFirst` drops a consumed page with `pages.removeFirst()`, which
///   moves the remaining page references (O(number of pages), no elements).
/// - Growth never moves an existing element in memory, except once in a last
///   page that a write copied (with room for its elements only): the next
///   append makes it a full page again.
/// - Memory is released per page: an element removed with `removeFirst` stays
///   alive until its whole page is consumed and dropped, so at most
///   `pageSize - 1` removed elements are retained. When the queue becomes
///   empty, all of them are released. (Storing `Element?` would release each
///   one at once, but would enlarge every slot for non-class elements.)
/// - Indices are positions from the front: 0 is the element `removeFirst`
///   would return next.
struct PagedArray<Element> {
    /// Elements per page. A power of two so that locating an element is a
    /// shift and a mask rather than a division.
    static var pageSize: Int { 1 << pageShift }
    private static var pageShift: Int { 12 }
    private static var pageMask: Int { pageSize - 1 }

    /// Every page except the last is full. The last page may be empty only
    /// when the queue is empty.
    private var pages: ContiguousArray<ContiguousArray<Element>> = []
    /// Position, in `pages[0]`, of the front element. Always `< pageSize`.
    private var head = 0
    private(set) var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    var first: Element? { isEmpty ? nil : pages[0][head] }

    /// - Complexity: O(1).
    subscript(index: Int) -> Element {
        // `_read`, not `get`: reading one field of a row borrows the row instead of copying it
        // out (with a retain and release of each of its references).
        _read {
            let (page, slot) = location(of: index)
            yield pages[page][slot]
        }
        // A `_modify` accessor lets `queue[i].field = x` mutate the element in
        // place; with a plain setter the element would be copied out and back.
        _modify {
            let (page, slot) = location(of: index)
            yield &pages[page][slot]
        }
    }

    /// - Complexity: O(1). Allocates a new page when the last one is full.
    mutating func append(_ element: consuming Element) {
        if pages.isEmpty || pages[pages.count - 1].count == Self.pageSize {
            var page = ContiguousArray<Element>()
            // The full capacity up front is what guarantees that appends to
            // this page never reallocate it.
            page.reserveCapacity(Self.pageSize)
            pages.append(page)
        } else if pages[pages.count - 1].capacity < Self.pageSize {
            // A copy made on write may hold only its elements: give it the full page again
            // here, once, rather than let appends grow it step by step.
            pages[pages.count - 1].reserveCapacity(Self.pageSize)
        }
        pages[pages.count - 1].append(element)
        count += 1
    }

    /// Removes and returns the front element.
    ///
    /// - Precondition: The queue is not empty.
    /// - Complexity: O(1), plus O(number of pages) reference moves when the
    ///   front page has been consumed and is dropped.
    @discardableResult
    mutating func removeFirst() -> Element {
        precondition(!isEmpty, "removeFirst() on an empty PagedArray")
        let element = pages[0][head]
        head += 1
        count -= 1
        if count == 0 {
            // Reuse the only page rather than free it, so that a queue
            // oscillating around empty does not allocate a page per cycle.
            pages[0].removeAll(keepingCapacity: true)
            head = 0
        } else if head == Self.pageSize {
            pages.removeFirst()
            head = 0
        }
        return element
    }

    /// Removes all elements and releases all pages.
    mutating func removeAll() {
        pages = []
        head = 0
        count = 0
    }

    /// Reserves room for page references for at least `n` elements in total,
    /// so that appending up to `n` elements does not grow the outer array.
    /// Pages themselves are still allocated on demand, one per `pageSize`
    /// appends.
    mutating func reserveCapacity(_ n: Int) {
        pages.reserveCapacity((head + n + Self.pageMask) >> Self.pageShift)
    }

    private func location(of index: Int) -> (page: Int, slot: Int) {
        // Bounds must be checked here: an index just outside the queue can map
        // to a valid slot of the front page holding an already removed element.
        precondition(index >= 0 && index < count, "PagedArray index out of range")
        let position = head + index
        return (position >> Self.pageShift, position & Self.pageMask)
    }

    /// Start address of a page's element storage, so that tests can observe
    /// that pages are never moved. Only compared, never dereferenced.
    func pageBaseAddress(_ page: Int) -> UnsafeRawPointer? {
        pages[page].withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }
}

extension PagedArray: RandomAccessCollection {
    var startIndex: Int { 0 }
    var endIndex: Int { count }

    /// Iterates front to back, walking pages sequentially; holds a reference
    /// to the pages, so the queue may be mutated during iteration without
    /// affecting it.
    struct Iterator: IteratorProtocol {
        private let pages: ContiguousArray<ContiguousArray<Element>>
        private var page = 0
        private var slot: Int
        private var remaining: Int

        fileprivate init(_ queue: PagedArray) {
            pages = queue.pages
            slot = queue.head
            remaining = queue.count
        }

        mutating func next() -> Element? {
            guard remaining > 0 else { return nil }
            if slot == PagedArray.pageSize {
                page += 1
                slot = 0
            }
            remaining -= 1
            defer { slot += 1 }
            return pages[page][slot]
        }
    }

    func makeIterator() -> Iterator { Iterator(self) }
}

extension PagedArray: Sendable where Element: Sendable {}
