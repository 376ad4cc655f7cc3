import SendPromptlyCore

/// An actor owning one ``ShardState``: the projects hashed to it, their pending receipts and
/// their timing wheel. Every call reads the engine's clock once and applies one operation, so
/// requests for different shards never wait on each other.
///
/// Effects of each operation (incident opened or resolved) are handed to `publish` after the
/// state change, in order.
public actor Shard {
    public nonisolated let index: Int
    private let state: ShardState
    private let clock: any EngineClock
    private let publish: @Sendable (EngineEffect) -> Void

    init(index: Int, clock: any EngineClock, tickMilliseconds: Int64, publish: @escaping @Sendable (EngineEffect) -> Void) {
        self.index = index
        self.clock = clock
        self.publish = publish
        self.state = ShardState(now: clock.now(), tickMilliseconds: tickMilliseconds)
    }

    /// Runs `operation` on the state at the clock's current time, then publishes its effects.
    /// A refused operation has no effects.
    public func perform<Answer: Sendable, Failure: Error>(
        _ operation: @Sendable (ShardState, Timestamp) throws(Failure) -> Answer
    ) throws(Failure) -> Answer {
        let answer = try operation(state, clock.now())
        for effect in state.takeEffects() { publish(effect) }
        return answer
    }

    /// Expires every deadline due now.
    public func advance() {
        state.advance(to: clock.now())
        for effect in state.takeEffects() { publish(effect) }
    }

    public var pendingReceiptCount: Int { state.pendingReceiptCount }
}
