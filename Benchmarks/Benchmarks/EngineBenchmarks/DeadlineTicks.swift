import Benchmark
import BenchmarkSupport
import SendPromptlyCore

/// The deadline target: with 10⁶ receipts pending and 10⁴ of them timing out every second,
/// every timeout incident must open within one second of its deadline.
///
/// One iteration is one tick of the server's expiry driver: the shard's clock moves 100 ms and
/// the shard applies `advance`, which expires what is due and opens its incidents, and the
/// shard actor takes the effects. Between ticks, unmeasured, 1,000 new receipts arrive with a
/// 100-second timeout, so that the shard holds 10⁶ pending throughout. An incident opens at
/// most one tick plus that tick's work after its deadline, so the target holds while the
/// slowest tick (the tool's p100, and p99) stays well under 900 ms. Wall time is what a
/// deadline sees; CPU time tells the tick's own work from time spent waiting for a core on a
/// shared machine.
///
/// The run starts 500 ticks before the wheel's top-level revolution ends (every 64⁴ ticks, 19.4
/// days), when the overflow bucket is re-filed: every receipt due after the boundary moves down
/// in that one tick, the largest refile the wheel does. (Idempotency records take no timer:
/// they expire from a queue in creation order, ``IdempotencyTable``.)
func registerDeadlineTicks() {
    let pending = SuiteMode.current.sizes([1_000_000], allocations: [10_000])[0]
    let configuration = SuiteMode.current.configured(
        Benchmark.Configuration(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal], timeUnits: .milliseconds,
            warmupIterations: 0, maxDuration: .seconds(300), maxIterations: 1_500))
    Benchmark("deadline-ticks_n=\(pending)", configuration: configuration) {
        (benchmark: Benchmark, shard: ExpiringShard) in
        shard.receiveOneTickOfReceipts()
        benchmark.startMeasurement()
        shard.tick()
    } setup: {
        ExpiringShard(pending: pending)
    }
}

/// A shard whose receipts time out at an even rate, `pending / 100` a second, none of them ever
/// reporting: every receipt becomes a timeout incident.
final class ExpiringShard {
    static let tickMilliseconds: Int64 = 100
    /// How far ahead a receipt's deadline lies: 100 s, so that `pending` receipts drain at
    /// `pending / 100` a second.
    static let timeoutSeconds: Int64 = 100

    private let fixture: BenchmarkProject
    private let perTick: Int
    private var now: Timestamp
    private var created = 0

    init(pending: Int) {
        let tick = Self.tickMilliseconds
        let revolution: Int64 = 1 << 24  // 64⁴ ticks
        let boundary = (1_764_397_800_000 / tick / revolution + 1) * revolution
        let start = Timestamp(millisecondsSinceEpoch: (boundary - 500) * tick)
        // The shard starts a second earlier, when the receipts due in the first second arrive.
        let origin = start.adding(milliseconds: -1000)
        fixture = BenchmarkProject(start: origin)
        perTick = pending / Int(Self.timeoutSeconds * 1000 / tick)
        now = start
        // Receipt `i` falls due `i / perTick` ticks after `start`, as if receipts had been
        // arriving at the same rate for the last 100 seconds: accepted during the second before
        // `start`, with timeouts of whole seconds.
        let perSecond = perTick * Int(1000 / tick)
        for fraction in 0..<perSecond {
            let acceptedAt = origin.adding(milliseconds: Int64(fraction) * 1000 / Int64(perSecond))
            for second in 0..<Int(Self.timeoutSeconds) {
                accept(second * perSecond + fraction, at: acceptedAt, timeoutSeconds: Int64(second) + 1)
            }
        }
        created = pending
    }

    /// The receipts that arrive during one tick, accepted at its start with the full timeout.
    func receiveOneTickOfReceipts() {
        for index in created..<(created + perTick) {
            accept(index, at: now, timeoutSeconds: Self.timeoutSeconds)
        }
        created += perTick
    }

    /// What the expiry driver does every tick, for this shard.
    func tick() {
        now = now.adding(milliseconds: Self.tickMilliseconds)
        blackHole(try! fixture.state.apply(.advance, now: now))
        blackHole(fixture.state.takeEffects())
    }

    private func accept(_ index: Int, at time: Timestamp, timeoutSeconds: Int64) {
        let (receipt, token) = BenchmarkProject.receipt(index, timeoutSeconds: timeoutSeconds)
        _ = try! fixture.state.apply(.receipt(fixture.project, fixture.access, receipt, token), now: time)
    }
}
