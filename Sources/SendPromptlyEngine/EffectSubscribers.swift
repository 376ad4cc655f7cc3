import SendPromptlyCore
import Synchronization

/// The engine's effect subscribers. Each gets every effect published after it subscribed, in
/// publication order, buffered without bound: effects are incidents and replays, a small
/// fraction of requests, and a subscriber that falls behind must not slow the shards.
final class EffectSubscribers: Sendable {
    private let continuations = Mutex<[AsyncStream<EngineEffect>.Continuation]>([])

    func subscribe() -> AsyncStream<EngineEffect> {
        let (stream, continuation) = AsyncStream.makeStream(of: EngineEffect.self, bufferingPolicy: .unbounded)
        continuations.withLock { $0.append(continuation) }
        return stream
    }

    func publish(_ effect: EngineEffect) {
        continuations.withLock { list in
            for continuation in list { continuation.yield(effect) }
        }
    }

    func finish() {
        let list = continuations.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for continuation in list { continuation.finish() }
    }
}
