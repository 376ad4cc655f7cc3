import ServiceLifecycle
import SendPromptlyEngine

/// The one clock that drives expiry in every shard: every `interval` it asks the engine to
/// expire what is due. Ticks are scheduled against a monotonic clock, so a slow tick is
/// followed by a prompt one rather than drift.
///
/// On graceful shutdown or cancellation it stops after the tick in progress.
public struct ExpiryDriver: Service {
    let engine: Engine
    let interval: Duration

    public init(engine: Engine, interval: Duration) {
        self.engine = engine
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var next = clock.now
            while !Task.isCancelled {
                next = next.advanced(by: interval)
                if next < clock.now { next = clock.now }
                try await Task.sleep(until: next, clock: clock)
                await engine.advance()
            }
        }
    }
}
