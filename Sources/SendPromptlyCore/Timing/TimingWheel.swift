/// A hierarchical timing wheel (Varghese and Lauck; the shape of Kafka's `TimingWheel`).
///
/// Time is cut into ticks of `tickMilliseconds`. Level 0 has one bucket per tick for the next
/// 64 ticks, level 1 one bucket per 64 ticks for the next 64², and so on; four levels of 64
/// buckets cover 64⁴ ticks (19.4 days at the default 100 ms tick), beyond the engine's 7-day
/// maximum deadline. A deadline further out waits in an overflow bucket that is re-examined
/// once per top-level revolution.
///
/// Costs: ``schedule(deadline:payload:)`` and ``cancel(_:)`` are O(1) and, once the wheel has
/// held as many deadlines before, allocate nothing: a deadline is a 32-byte slot and two 4-byte
/// columns in ``TimerSlots``, linked into its bucket's circular list by index, so an unlink
/// touches the slot and its two neighbours only. ``advance(to:expired:)`` is O(1) per tick
/// plus O(1) amortised per deadline: a deadline moves down at most once per level before it
/// expires. Most receipts are cancelled by their result long before expiry, and a cancel is
/// one unlink.
///
/// Precision, which the engine documents as its maximum lateness: a deadline expires during
/// the first `advance(to: t)` with `t ≥ deadline` rounded up to the next tick boundary. It
/// never expires early, and with `advance` called every tick it expires less than one tick
/// (100 ms) plus the caller's scheduling delay after its deadline.
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
    /// The buckets are the first slots, `level * slotsPerLevel + slot`, then the overflow
    /// bucket; deadlines follow.
    private let slots: TimerSlots
    private static let overflowBucket = UInt32(levelCount * slotsPerLevel)
    /// Deadlines scheduled and neither cancelled nor expired.
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
        self.slots = TimerSlots(sentinels: Int(Self.overflowBucket) + 1)
    }

    /// The wheel's time: every deadline at or before it has expired or was cancelled.
    public var currentTime: Int64 { currentTick * tickMilliseconds }

    /// Schedules `payload` to be handed to ``advance(to:expired:)`` once `deadline`
    /// (milliseconds since the epoch) has passed.
    ///
    /// - Returns: the deadline's handle; nil, without scheduling, when the deadline is at or
    ///   before ``currentTime`` rounded to the tick: the caller treats it as expired now.
    public func schedule(deadline: Int64, payload: TimerPayload) -> TimerHandle? {
        let (quotient, remainder) = deadline.quotientAndRemainder(dividingBy: tickMilliseconds)
        let tick = remainder > 0 ? quotient + 1 : quotient
        guard tick > currentTick else { return nil }
        let entry = slots.take()
        let slot = slots.pointer(entry)
        slot.pointee.expiryTick = tick
        slot.pointee.owner = payload.owner
        slot.pointee.high = payload.high
        slot.pointee.low = payload.low
        file(entry, dueAt: tick)
        scheduled += 1
        return TimerHandle(slot: entry, generation: slots.generation(of: entry))
    }

    /// True while `handle`'s deadline waits: neither cancelled nor expired.
    public func isScheduled(_ handle: TimerHandle) -> Bool {
        guard handle.slot > Self.overflowBucket, handle.slot < slots.count else { return false }
        return slots.generation(of: handle.slot) == handle.generation
            && slots.pointer(handle.slot).pointee.expiryTick != TimerSlot.notScheduled
    }

    /// Unlinks `handle`'s deadline if it is still scheduled.
    ///
    /// - Returns: true when it was; false when it had already expired or been cancelled, so
    ///   cancelling twice is harmless.
    @discardableResult
    public func cancel(_ handle: TimerHandle) -> Bool {
        guard isScheduled(handle) else { return false }
        slots.unlink(handle.slot)
        slots.free(handle.slot)
        scheduled -= 1
        return true
    }

    /// Moves the wheel's time forward to `now` (milliseconds since the epoch) and hands the
    /// payload of every deadline that became due to `expired`, in deadline order up to the tick
    /// resolution.
    ///
    /// Each deadline is unscheduled before `expired` sees it (its handle is stale by then);
    /// `expired` may schedule or cancel other deadlines. A `now` at or before ``currentTime``
    /// does nothing.
    public func advance(to now: Int64, expired: (TimerPayload) -> Void) {
        let targetTick = now / tickMilliseconds
        var earliestSeen = currentTick
        while currentTick < targetTick {
            if scheduled == 0 {
                // Nothing can expire on the way: jump straight to the target.
                currentTick = targetTick
                return
            }
            if targetTick - currentTick > Self.revolutionTicks, currentTick >= earliestSeen {
                earliestSeen = skipTowardsEarliestDeadline(before: targetTick)
            }
            currentTick += 1
            cascade()
            // One deadline at a time, not `detachEach`: `expired` may cancel a deadline still
            // waiting in this bucket, and that cancel must find it linked here. Nothing joins
            // the bucket meanwhile: a new deadline is due after the current tick, so never in
            // this slot.
            let due = UInt32(currentTick & Self.slotMask)
            while let entry = slots.removeFirst(of: due) {
                let slot = slots.pointer(entry)
                let payload = TimerPayload(owner: slot.pointee.owner, high: slot.pointee.high, low: slot.pointee.low)
                slots.free(entry)
                scheduled -= 1
                expired(payload)
            }
        }
    }

    /// Links `entry`, due at `tick` (its `expiryTick`, not before the current tick), into its
    /// bucket.
    ///
    /// A deadline goes to the lowest level whose current revolution contains its expiry tick:
    /// the level of the highest bit in which the expiry tick and the current tick differ, six
    /// bits a level. Its slot there is then ahead of the level's current slot, so it is reached
    /// (and cascaded down, or expired) before its tick passes. A deadline due at the current
    /// tick (only cascading files one) lands in level 0's current slot, drained right after.
    @inline(__always)
    private func file(_ entry: UInt32, dueAt tick: Int64) {
        let highestDifferingBit = Int64(63 - (tick ^ currentTick).leadingZeroBitCount)
        let level = highestDifferingBit < 0 ? 0 : highestDifferingBit / Self.slotBits
        let bucket: UInt32
        if level < Int64(Self.levelCount) {
            bucket = UInt32(level) * UInt32(Self.slotsPerLevel) + UInt32((tick >> (Self.slotBits * level)) & Self.slotMask)
        } else {
            bucket = Self.overflowBucket
        }
        slots.append(entry, to: bucket)
    }

    /// Re-files the deadlines of every higher-level bucket whose span starts at the current
    /// tick, highest level first so that a deadline can fall through several levels in one
    /// tick.
    private func cascade() {
        let topShift = Self.slotBits * Int64(Self.levelCount)
        if currentTick & ((1 << topShift) - 1) == 0 {
            slots.detachEach(of: Self.overflowBucket, refile)
        }
        for level in stride(from: Self.levelCount - 1, through: 1, by: -1) {
            let shift = Self.slotBits * Int64(level)
            guard currentTick & ((1 << shift) - 1) == 0 else { continue }
            let slot = UInt32((currentTick >> shift) & Self.slotMask)
            slots.detachEach(of: UInt32(level * Self.slotsPerLevel) + slot, refile)
        }
    }

    /// Ticks in a revolution of the top level (about 19 days of 100 ms ticks).
    private static let revolutionTicks: Int64 = 1 << (slotBits * Int64(levelCount))

    /// For a step longer than a top-level revolution, which a server's periodic ticks never
    /// take (a clock stepped far ahead, or a journal record's instant): moves the wheel in one
    /// step to just before its earliest deadline (or the target), refiling every deadline
    /// there, instead of walking every tick between (years of ticks would not end). Returns the
    /// earliest deadline's tick, before which this need not be looked at again. O(pending).
    private func skipTowardsEarliestDeadline(before targetTick: Int64) -> Int64 {
        var entries: [UInt32] = []
        entries.reserveCapacity(scheduled)
        for bucket in 0...Self.overflowBucket {
            slots.detachEach(of: bucket) { entries.append($0) }
        }
        let earliest = entries.lazy.map { self.slots.pointer($0).pointee.expiryTick }.min() ?? targetTick
        currentTick = max(currentTick, min(targetTick, earliest) - 1)
        for entry in entries { refile(entry) }
        return earliest
    }

    private func refile(_ entry: UInt32) {
        file(entry, dueAt: slots.pointer(entry).pointee.expiryTick)
    }
}
