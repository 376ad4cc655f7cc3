/// A hierarchical timing wheel (Varghese and Lauck; the shape of Kafka's `TimingWheel`).
///
/// Time is cut into ticks of `tickMilliseconds`. Level 0 has one bucket per tick for the next
/// 64 ticks, level 1 one bucket per 64 ticks for the next 64², and so on; four levels of 64
/// buckets cover 64⁴ ticks (19.4 days at the default 100 ms tick), beyond the engine's 7-day
/// maximum deadline. An entry further out waits in an overflow bucket that is re-examined once
/// per top-level revolution.
///
/// Costs: ``schedule(_:)`` and ``cancel(_:)`` are O(1) and allocate nothing (the entry is its
/// own list node; a bucket is a circular list, so an unlink touches the entry and its two
/// neighbours only). ``advance(to:expired:)`` is O(1) per tick plus O(1) amortised per entry:
/// an entry moves down at most once per level before it expires. Most receipts are cancelled
/// by their result long before expiry, and a cancel is one unlink.
///
/// Precision, which the engine documents as its maximum lateness: an entry expires during the
/// first `advance(to: t)` with `t ≥ deadline` rounded up to the next tick boundary. It never
/// expires early, and with `advance` called every tick it expires less than one tick (100 ms)
/// plus the caller's scheduling delay after its deadline.
///
/// The wheel keeps every scheduled entry alive, and lets go of it when it is cancelled or once
/// `expired` has seen it.
///
/// Not thread-safe: one owner (a shard actor) serialises every call.
public final class TimingWheel {
    /// Buckets per level; a power of two so the slot of a tick is a shift and a mask.
    public static let slotsPerLevel = 64
    static let slotBits: Int64 = 6
    static let slotMask: Int64 = 63
    public static let levelCount = 4

    public let tickMilliseconds: Int64
    /// Every tick up to and including this one has been processed.
    private(set) var currentTick: Int64
    /// The sentinels of the buckets, `level * slotsPerLevel + slot`, then the overflow bucket.
    private let buckets: ContiguousArray<TimerEntry>
    private static let overflowIndex = levelCount * slotsPerLevel
    /// Entries scheduled and neither cancelled nor expired.
    public var count: Int { scheduled }
    /// ``count``'s storage: private, so that the compiler can see every access and drop the
    /// run-time exclusivity check a public stored property costs on each change.
    private var scheduled = 0

    /// - Parameters:
    ///   - tickMilliseconds: the resolution; the maximum lateness is one tick.
    ///   - now: milliseconds since the epoch; deadlines at or before it are already due.
    public init(tickMilliseconds: Int64 = 100, startingAt now: Int64) {
        precondition(tickMilliseconds > 0, "a tick lasts at least one millisecond")
        self.tickMilliseconds = tickMilliseconds
        self.currentTick = now / tickMilliseconds
        self.buckets = ContiguousArray((0...Self.overflowIndex).map { _ in TimerEntry.makeBucket() })
    }

    deinit {
        // Give back the reference held on every entry still scheduled.
        for bucket in buckets {
            bucket.detachEach { entry in
                entry.next = nil
                entry.previous = nil
                entry.expiryTick = TimerEntry.notScheduled
                Unmanaged.passUnretained(entry).release()
            }
        }
    }

    /// The wheel's time: every deadline at or before it has expired or was cancelled.
    public var currentTime: Int64 { currentTick * tickMilliseconds }

    /// Links `entry` into the bucket for its deadline.
    ///
    /// - Returns: false, without scheduling, when the deadline is at or before
    ///   ``currentTime`` rounded to the tick: the caller treats the entry as expired now.
    /// - Precondition: `entry` is not scheduled in any wheel.
    @discardableResult
    public func schedule(_ entry: TimerEntry) -> Bool {
        precondition(!entry.isScheduled, "entry is already scheduled")
        let (quotient, remainder) = entry.deadline.quotientAndRemainder(dividingBy: tickMilliseconds)
        let tick = remainder > 0 ? quotient + 1 : quotient
        guard tick > currentTick else { return false }
        entry.expiryTick = tick
        file(entry)
        // The wheel's own reference, given back in `cancel` or after expiry.
        _ = Unmanaged.passRetained(entry)
        scheduled += 1
        return true
    }

    /// Unlinks `entry` if it is scheduled in this wheel.
    ///
    /// - Returns: true when the entry was scheduled; false when it had already expired or been
    ///   cancelled, so cancelling twice is harmless.
    @discardableResult
    public func cancel(_ entry: TimerEntry) -> Bool {
        guard entry.isScheduled else { return false }
        entry.unlink()
        scheduled -= 1
        Unmanaged.passUnretained(entry).release()
        return true
    }

    /// Moves the wheel's time forward to `now` (milliseconds since the epoch) and hands every
    /// entry that became due to `expired`, in deadline order up to the tick resolution.
    ///
    /// Each entry is unscheduled before `expired` sees it; `expired` may schedule or cancel
    /// other entries. A `now` at or before ``currentTime`` does nothing.
    public func advance(to now: Int64, expired: (TimerEntry) -> Void) {
        let targetTick = now / tickMilliseconds
        while currentTick < targetTick {
            if scheduled == 0 {
                // Nothing can expire on the way: jump straight to the target.
                currentTick = targetTick
                return
            }
            currentTick += 1
            cascade()
            // One entry at a time, not `detachEach`: `expired` may cancel an entry still waiting
            // in this bucket, and that cancel must find it linked here. Nothing joins the bucket
            // meanwhile: a new entry is due after the current tick, so never in this slot.
            let due = buckets[Int(currentTick & Self.slotMask)]
            while true {
                let entry = due.next.unsafelyUnwrapped
                if entry === due { break }
                entry.unlink()
                scheduled -= 1
                // `entry` holds its own reference now; the wheel's goes.
                Unmanaged.passUnretained(entry).release()
                expired(entry)
            }
        }
    }

    /// Links `entry`, due at `entry.expiryTick` (not before the current tick), into its bucket.
    ///
    /// An entry goes to the lowest level whose current revolution contains its expiry tick: the
    /// level of the highest bit in which the expiry tick and the current tick differ, six bits
    /// a level. Its slot there is then ahead of the level's current slot, so it is reached (and
    /// cascaded down, or expired) before its tick passes. An entry due at the current tick
    /// (only cascading files one) lands in level 0's current slot, drained right after.
    @inline(__always)
    private func file(_ entry: TimerEntry) {
        let tick = entry.expiryTick
        let highestDifferingBit = Int64(63 - (tick ^ currentTick).leadingZeroBitCount)
        let level = highestDifferingBit < 0 ? 0 : highestDifferingBit / Self.slotBits
        let index: Int
        if level < Int64(Self.levelCount) {
            index = Int(level) * Self.slotsPerLevel + Int((tick >> (Self.slotBits * level)) & Self.slotMask)
        } else {
            index = Self.overflowIndex
        }
        buckets[index].append(entry)
    }

    /// Re-files the entries of every higher-level bucket whose span starts at the current tick,
    /// highest level first so that an entry can fall through several levels in one tick.
    private func cascade() {
        let topShift = Self.slotBits * Int64(Self.levelCount)
        if currentTick & ((1 << topShift) - 1) == 0 {
            buckets[Self.overflowIndex].detachEach(file)
        }
        for level in stride(from: Self.levelCount - 1, through: 1, by: -1) {
            let shift = Self.slotBits * Int64(level)
            guard currentTick & ((1 << shift) - 1) == 0 else { continue }
            let slot = Int((currentTick >> shift) & Self.slotMask)
            buckets[level * Self.slotsPerLevel + slot].detachEach(file)
        }
    }
}
