/// A hierarchical timing wheel (Varghese and Lauck; the shape of Kafka's `TimingWheel`).
///
/// Time is cut into ticks of `tickMilliseconds`. Level 0 has one bucket per tick for the next
/// 64 ticks, level 1 one bucket per 64 ticks for the next 64², and so on; four levels of 64
/// buckets cover 64⁴ ticks (19.4 days at the default 100 ms tick), beyond the engine's 7-day
/// maximum deadline. An entry further out waits in an overflow bucket that is re-examined once
/// per top-level revolution.
///
/// Costs: ``schedule(_:)`` and ``cancel(_:)`` are O(1) and allocate nothing (the entry is its
/// own list node). ``advance(to:expired:)`` is O(1) per tick plus O(1) amortised per entry:
/// an entry moves down at most once per level before it expires. Most receipts are cancelled
/// by their result long before expiry, and a cancel is one unlink.
///
/// Precision, which the engine documents as its maximum lateness: an entry expires during the
/// first `advance(to: t)` with `t ≥ deadline` rounded up to the next tick boundary. It never
/// expires early, and with `advance` called every tick it expires less than one tick (100 ms)
/// plus the caller's scheduling delay after its deadline.
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
    /// `levels[level][slot]`.
    let levels: [[TimerBucket]]
    let overflow = TimerBucket()
    /// Entries scheduled and neither cancelled nor expired.
    public private(set) var count = 0

    /// - Parameters:
    ///   - tickMilliseconds: the resolution; the maximum lateness is one tick.
    ///   - now: milliseconds since the epoch; deadlines at or before it are already due.
    public init(tickMilliseconds: Int64 = 100, startingAt now: Int64) {
        precondition(tickMilliseconds > 0, "a tick lasts at least one millisecond")
        self.tickMilliseconds = tickMilliseconds
        self.currentTick = now / tickMilliseconds
        self.levels = (0..<Self.levelCount).map { _ in
            (0..<Self.slotsPerLevel).map { _ in TimerBucket() }
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
        precondition(entry.bucket == nil, "entry is already scheduled")
        guard let bucket = bucket(forExpiryTick: expiryTick(of: entry)) else { return false }
        bucket.append(entry)
        count += 1
        return true
    }

    /// Unlinks `entry` if it is scheduled in this wheel.
    ///
    /// - Returns: true when the entry was scheduled; false when it had already expired or been
    ///   cancelled, so cancelling twice is harmless.
    @discardableResult
    public func cancel(_ entry: TimerEntry) -> Bool {
        guard let bucket = entry.bucket else { return false }
        bucket.remove(entry)
        count -= 1
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
            if count == 0 {
                // Nothing can expire on the way: jump straight to the target.
                currentTick = targetTick
                return
            }
            currentTick += 1
            cascade()
            // One entry at a time, not `drain`: `expired` may cancel an entry still waiting in
            // this bucket, and that cancel must find it linked here. Nothing joins the bucket
            // meanwhile: a new entry is due after the current tick, so never in this slot.
            let due = levels[0][Int(currentTick & Self.slotMask)]
            while let entry = due.head {
                due.remove(entry)
                count -= 1
                expired(entry)
            }
        }
    }

    /// The first tick at which `entry` may expire: its deadline rounded up to a tick boundary.
    func expiryTick(of entry: TimerEntry) -> Int64 {
        let (quotient, remainder) = entry.deadline.quotientAndRemainder(dividingBy: tickMilliseconds)
        return remainder > 0 ? quotient + 1 : quotient
    }

    /// The bucket for an entry due at `expiryTick`, or nil when that tick has passed.
    ///
    /// An entry goes to the lowest level whose current revolution contains its expiry tick:
    /// level `l` if the expiry tick and the current tick agree on every bit above that level's
    /// slot bits. Its slot there is then strictly ahead of the level's current slot, so it is
    /// reached (and cascaded down, or expired) before its tick passes.
    func bucket(forExpiryTick expiryTick: Int64) -> TimerBucket? {
        guard expiryTick > currentTick else { return nil }
        for level in 0..<Self.levelCount {
            let shift = Self.slotBits * Int64(level + 1)
            if expiryTick >> shift == currentTick >> shift {
                let slot = (expiryTick >> (Self.slotBits * Int64(level))) & Self.slotMask
                return levels[level][Int(slot)]
            }
        }
        return overflow
    }

    /// Re-files the entries of every higher-level bucket whose span starts at the current tick,
    /// highest level first so that an entry can fall through several levels in one tick.
    private func cascade() {
        let topShift = Self.slotBits * Int64(Self.levelCount)
        if currentTick & ((1 << topShift) - 1) == 0 {
            refile(overflow)
        }
        for level in stride(from: Self.levelCount - 1, through: 1, by: -1) {
            let shift = Self.slotBits * Int64(level)
            guard currentTick & ((1 << shift) - 1) == 0 else { continue }
            let slot = (currentTick >> shift) & Self.slotMask
            refile(levels[level][Int(slot)])
        }
    }

    private func refile(_ source: TimerBucket) {
        source.drain { entry in
            // Every refiled entry is due at or after the current tick; one due exactly now
            // lands in level 0's current slot, which the caller drains right after.
            let tick = expiryTick(of: entry)
            if tick == currentTick {
                levels[0][Int(tick & Self.slotMask)].append(entry)
            } else {
                bucket(forExpiryTick: tick)!.append(entry)
            }
        }
    }
}
