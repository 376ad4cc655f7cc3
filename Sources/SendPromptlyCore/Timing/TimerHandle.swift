/// What a scheduled deadline carries back to its owner when it expires: a 32-bit tag and two
/// words, enough for the engine to name a project (by its shard-local number) and a 128-bit
/// identifier without the wheel knowing either.
public struct TimerPayload: Hashable, Sendable {
    public var owner: UInt32
    public var high: UInt64
    public var low: UInt64

    public init(owner: UInt32, high: UInt64, low: UInt64) {
        self.owner = owner
        self.high = high
        self.low = low
    }
}

/// A deadline scheduled in a ``TimingWheel``: the slot that holds it and the slot's generation
/// at scheduling time.
///
/// A slot is reused once its deadline is cancelled or expired, and every reuse starts a new
/// generation, so a handle kept past that point no longer matches: cancelling it is a harmless
/// no-op that cannot touch the slot's next deadline. Eight bytes, where the object per deadline
/// it replaces cost about a hundred.
public struct TimerHandle: Hashable, Sendable {
    let slot: UInt32
    let generation: UInt32
}
