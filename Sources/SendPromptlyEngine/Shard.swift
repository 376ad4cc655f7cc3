import NIOCore
import SendPromptlyCore

/// An actor owning one ``ShardState``: the projects hashed to it, their pending receipts and
/// their timing wheel. Every call reads the engine's clock once, so requests for different
/// shards never wait on each other.
///
/// The actor runs on one of the server's event loops, not on Swift's global pool: a request
/// read on that loop is applied without leaving its thread (``executeHere(_:)``), and one read
/// on another loop costs a single event-loop hop, never a task.
///
/// A command that changed the state is appended to the journal before the actor's turn ends;
/// its effects (incident opened or resolved) are handed to `publish` in order.
public actor Shard {
    public nonisolated let index: Int
    /// The loop whose thread runs this actor.
    public nonisolated let eventLoop: any EventLoop
    private let state: ShardState
    private let clock: any EngineClock
    private let journal: (any CommandJournal)?
    private let publish: @Sendable (EngineEffect) -> Void
    /// What this shard did since the process started (``ShardCounters``).
    public private(set) var counters = ShardCounters()

    init(
        index: Int, state: ShardState, eventLoop: any EventLoop, clock: any EngineClock, journal: (any CommandJournal)?,
        publish: @escaping @Sendable (EngineEffect) -> Void
    ) {
        self.index = index
        self.eventLoop = eventLoop
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

    /// ``execute(_:)`` from code already running on ``eventLoop`` (a channel handler), without
    /// a task. Calling it from any other thread is a programming error and traps.
    public nonisolated func executeHere(_ command: ShardCommand) throws(EngineError) -> (CommandOutcome, UInt64?) {
        let result = assumeIsolated { shard in
            Result { () throws(EngineError) in try shard.execute(command) }
        }
        return try result.get()
    }

    /// Runs a read on the state at the clock's current time. Reads change nothing but a key's
    /// last-used time, which is not journaled.
    public func read<Answer: Sendable, Failure: Error>(
        _ operation: @Sendable (ShardState, Timestamp) throws(Failure) -> Answer
    ) throws(Failure) -> Answer {
        try operation(state, clock.now())
    }

    /// The shard's state in the snapshot format (with what its stretches hold,
    /// ``BinaryWriter/stretches``), and the journal sequence it is current to.
    public func snapshot() -> (sequence: UInt64, state: BinaryWriter) {
        var writer = BinaryWriter(capacity: 1 << 16)
        state.encodeSnapshot(to: &writer)
        return (journal?.lastSequence ?? 0, writer)
    }

    public var pendingReceiptCount: Int { state.pendingReceiptCount }

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        eventLoop.executor.asUnownedSerialExecutor()
    }
}
