import SendPromptlyCore

/// An actor owning one ``ShardState``: the projects hashed to it, their pending receipts and
/// their timing wheel. Every call reads the engine's clock once, so requests for different
/// shards never wait on each other.
///
/// A command that changed the state is appended to the journal before the actor's turn ends;
/// its effects (incident opened or resolved) are handed to `publish` in order.
public actor Shard {
    public nonisolated let index: Int
    private let state: ShardState
    private let clock: any EngineClock
    private let journal: (any CommandJournal)?
    private let publish: @Sendable (EngineEffect) -> Void
    /// What this shard did since the process started (``ShardCounters``).
    public private(set) var counters = ShardCounters()

    init(
        index: Int, state: ShardState, clock: any EngineClock, journal: (any CommandJournal)?,
        publish: @escaping @Sendable (EngineEffect) -> Void
    ) {
        self.index = index
        self.state = state
        self.clock = clock
        self.journal = journal
        self.publish = publish
    }

    /// Applies `command` now and journals it when it changed the state.
    ///
    /// - Returns: the outcome and the journal sequence to await before answering, nil when
    ///   nothing was journaled.
    public func execute(_ command: ShardCommand) throws(EngineError) -> (CommandOutcome, UInt64?) {
        let now = clock.now()
        let outcome = try state.apply(command, now: now)
        // A replayed answer is only as durable as the record that first gave it: wait for
        // everything journaled so far, that record included.
        let sequence = outcome.changedState ? journal?.append(shard: index, at: now, command) : journal?.lastSequence
        counters.count(command, outcome)
        for effect in state.takeEffects() {
            counters.count(effect)
            publish(effect)
        }
        return (outcome, sequence)
    }

    /// Runs a read on the state at the clock's current time. Reads change nothing but a key's
    /// last-used time, which is not journaled.
    public func read<Answer: Sendable, Failure: Error>(
        _ operation: @Sendable (ShardState, Timestamp) throws(Failure) -> Answer
    ) throws(Failure) -> Answer {
        try operation(state, clock.now())
    }

    /// The shard's state in the snapshot format, and the journal sequence it is current to.
    public func snapshot() -> (sequence: UInt64, bytes: [UInt8]) {
        var writer = BinaryWriter(capacity: 1 << 16)
        state.encodeSnapshot(to: &writer)
        return (journal?.lastSequence ?? 0, writer.bytes)
    }

    public var pendingReceiptCount: Int { state.pendingReceiptCount }
}
