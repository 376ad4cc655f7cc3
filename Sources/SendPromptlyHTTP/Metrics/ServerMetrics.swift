import CoreMetrics
import Prometheus
import SendPromptlyCore
import SendPromptlyEngine
import Synchronization

/// Every metric of the server, kept in one Prometheus registry and exposed at `GET /metrics`.
///
/// The registry is injected: the server makes one, bootstraps swift-metrics' global system with
/// ``factory`` once (so that libraries' own metrics land in it too), and hands it here; a test
/// makes its own and reads it. Nothing in this module touches the global system.
///
/// Hot-path metrics (HTTP requests, journal `fsync`s) are recorded as they happen through
/// handles made once. Engine counts (receipts, results, incidents, delivery attempts) cost the
/// ingest path nothing extra: each shard keeps plain ``ShardCounters``, which a scrape reads
/// and folds into the registry's counters.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory over ``registry``, with this server's histogram buckets.
    public let factory: PrometheusMetricsFactory
    /// HTTP requests by route and status, latency by route; for every front to call.
    public let http: HTTPMetrics
    private let journalSync: CoreMetrics.Timer
    private let snapshotDuration: CoreMetrics.Timer
    private let snapshotBytes: CoreMetrics.Gauge
    /// The engine counts already added to the registry's counters; a scrape adds the rest.
    private let exported = Mutex(ShardCounters())

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        let fine: [Duration] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        factory.defaultDurationHistogramBuckets = fine
        factory.durationHistogramBuckets["sendpromptly_snapshot_duration_seconds"] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        self.factory = factory
        http = HTTPMetrics(factory: factory)
        journalSync = CoreMetrics.Timer(label: "sendpromptly_journal_fsync_seconds", factory: factory)
        snapshotDuration = CoreMetrics.Timer(label: "sendpromptly_snapshot_duration_seconds", factory: factory)
        snapshotBytes = CoreMetrics.Gauge(label: "sendpromptly_snapshot_bytes", factory: factory)
    }

    /// Records one journal `fsync` (called from the journal's writer thread).
    public func journalSynced(_ duration: Duration) {
        journalSync.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Records a snapshot written: how long it took and its size on disk.
    public func snapshotWritten(duration: Duration, bytes: Int) {
        snapshotDuration.recordNanoseconds(Self.nanoseconds(duration))
        snapshotBytes.record(bytes)
    }

    /// The Prometheus text exposition, with the engine's counts read now (none while `engine`
    /// is nil, during recovery).
    public func exposition(engine: Engine?) async -> [UInt8] {
        if let engine {
            var total = ShardCounters()
            var pending: [Int] = []
            for shard in engine.shards {
                total = total.adding(await shard.counters)
                pending.append(await shard.pendingReceiptCount)
            }
            export(total, pending: pending)
        }
        return registry.emitToBuffer()
    }

    /// Adds what `total` counts beyond what earlier scrapes exported. Two scrapes may read the
    /// shards in either order; a count never goes back.
    private func export(_ total: ShardCounters, pending: [Int]) {
        exported.withLock { exported in
            func add(_ label: String, _ dimensions: [(String, String)], _ now: Int, _ before: Int) {
                let counter = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
                if now > before { counter.increment(by: now - before) }
            }
            add("sendpromptly_receipts_total", [], total.receiptsAccepted, exported.receiptsAccepted)
            add("sendpromptly_results_total", [], total.resultsApplied, exported.resultsApplied)
            for reason in [IncidentReason.timeout, .failed] {
                add("sendpromptly_incidents_opened_total", [("reason", reason.rawValue)],
                    total.incidentsOpened[reason] ?? 0, exported.incidentsOpened[reason] ?? 0)
            }
            for resolution in [Resolution.lateSuccess, .replaySuccess, .manual] {
                add("sendpromptly_incidents_resolved_total", [("reason", resolution.rawValue)],
                    total.incidentsResolved[resolution] ?? 0, exported.incidentsResolved[resolution] ?? 0)
            }
            for (key, count) in total.attempts {
                add("sendpromptly_delivery_attempts_total", [("kind", key.kind), ("outcome", key.outcome)],
                    count, exported.attempts[key] ?? 0)
            }
            exported = exported.maximum(total)
            for (index, count) in pending.enumerated() {
                CoreMetrics.Gauge(label: "sendpromptly_pending_receipts", dimensions: [("shard", String(index))], factory: factory).record(count)
            }
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
