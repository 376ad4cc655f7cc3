import Atomics
import CoreMetrics
import Synchronization

/// Requests by route and status, and request latency by route: one small type any HTTP front
/// can call (the Hummingbird middleware, or a hand-written fast path for ingest), so that every
/// request is counted the same way whichever front answered it.
///
/// Cheap on the hot path: the metric handles for a (route, status) pair are made once, on the
/// pair's first request, and from then on found in an immutable dictionary read through an
/// atomic reference, without a lock; recording is the metrics backend's own atomic update.
/// `route` must come from a small fixed set (a route pattern such as
/// `/api/v1/incidents/:incident_id`, never the raw path), or the metric's cardinality grows
/// with the traffic.
public final class HTTPMetrics: Sendable {
    /// The label of requests that matched no route: the one Hummingbird's router gives them,
    /// so that every front counts them under the same name.
    public static let unmatchedRoute = "NotFound"

    private struct Key: Hashable {
        let route: String
        let status: Int
    }

    /// The handles made so far; replaced, never changed, when a new pair appears.
    private final class Handles: AtomicReference, Sendable {
        let requests: [Key: Counter]
        let latency: [String: Timer]

        init(requests: [Key: Counter], latency: [String: Timer]) {
            self.requests = requests
            self.latency = latency
        }
    }

    private let factory: any MetricsFactory
    private let handles: ManagedAtomic<Handles>
    /// Serialises the making of new handles (first request of a pair) only.
    private let making = Mutex(())

    public init(factory: any MetricsFactory) {
        self.factory = factory
        handles = ManagedAtomic(Handles(requests: [:], latency: [:]))
    }

    /// The handles of one (route, status) pair. A front answering many requests of the same
    /// pair on one connection keeps its recorder and records through it, which skips even the
    /// lookup by route and status.
    public struct Recorder: Sendable {
        public let route: String
        public let status: Int
        fileprivate let requests: Counter
        fileprivate let latency: Timer

        /// Counts one answered request that took `nanoseconds` from its head's arrival to its answer.
        public func record(nanoseconds: Int64) {
            requests.increment()
            latency.recordNanoseconds(nanoseconds)
        }
    }

    /// The recorder of `route` with `status`, made on the pair's first request.
    public func recorder(route: String, status: Int) -> Recorder {
        let key = Key(route: route, status: status)
        let current = handles.load(ordering: .acquiring)
        let (counter, timer) = if let counter = current.requests[key], let timer = current.latency[route] {
            (counter, timer)
        } else {
            make(key)
        }
        return Recorder(route: route, status: status, requests: counter, latency: timer)
    }

    /// Counts one answered request of `route` with `status`, which took `nanoseconds` from its
    /// head's arrival to its answer.
    public func record(route: String, status: Int, nanoseconds: Int64) {
        recorder(route: route, status: status).record(nanoseconds: nanoseconds)
    }

    private func make(_ key: Key) -> (Counter, Timer) {
        making.withLock { _ in
            let current = handles.load(ordering: .acquiring)
            var requests = current.requests
            var latency = current.latency
            let counter = requests[key] ?? Counter(
                label: "sendpromptly_http_requests_total",
                dimensions: [("route", key.route), ("status", String(key.status))], factory: factory)
            let timer = latency[key.route] ?? Timer(
                label: "sendpromptly_http_request_duration_seconds", dimensions: [("route", key.route)], factory: factory)
            requests[key] = counter
            latency[key.route] = timer
            handles.store(Handles(requests: requests, latency: latency), ordering: .releasing)
            return (counter, timer)
        }
    }
}
