/// How much one project may send a live shard: its ingest rate and how many receipts it may
/// leave waiting for a result. Defaults are those of `sendpromptly serve`.
public struct IngestQuota: Sendable, Equatable {
    /// Receipts and results a project may send: `perSecond` on average, `burst` at once.
    public struct Rate: Sendable, Equatable {
        public let perSecond: Double
        public let burst: Int

        public init(perSecond: Double, burst: Int) {
            precondition(perSecond > 0 && burst >= 1, "a rate limit lets something through")
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    /// Nil: no rate limit.
    public var rate: Rate?
    /// Pending receipts a project may hold; a new receipt past it is refused. Nil: no cap.
    public var maximumPendingPerProject: Int?

    /// No limit at all: what journal replay runs under, so that recovery re-applies exactly
    /// what was acknowledged whatever the limits of the run that wrote it.
    public static let unlimited = IngestQuota(rate: nil, maximumPendingPerProject: nil)

    public init(rate: Rate? = nil, maximumPendingPerProject: Int? = 1_000_000) {
        precondition(maximumPendingPerProject.map { $0 >= 1 } ?? true, "a pending cap lets a receipt wait")
        self.rate = rate
        self.maximumPendingPerProject = maximumPendingPerProject
    }
}

/// The quota a shard enforces and the state it keeps for it: one token bucket per project that
/// sent something. Not part of the shard's snapshot or journal: a refused request changed
/// nothing, and buckets start full again after a restart.
struct QuotaState {
    var quota: IngestQuota = .unlimited
    var buckets: [ProjectID: TokenBucket] = [:]
}

extension ShardState {
    /// What pending receipts wait for when a project is at its cap: any result or deadline frees
    /// a place, so a client retries soon.
    public static let pendingCapRetryAfterMilliseconds: Int64 = 1000

    /// The quota this shard enforces from now on. Recovery replays its journal before a quota is
    /// installed, so nothing acknowledged is refused on the way back.
    public func install(_ quota: IngestQuota) {
        quotaState = QuotaState(quota: quota)
    }

    /// Takes one request of `project` out of its rate: `rateLimited` with the wait until the
    /// next token when the bucket is empty. An empty bucket stays empty (a refused request
    /// takes nothing), so a client that waits the `Retry-After` it got is let through.
    func admitIngestRequest(of project: ProjectID, now: Timestamp) throws(EngineError) {
        guard let rate = quotaState.quota.rate else { return }
        var bucket = quotaState.buckets[project]
            ?? TokenBucket(capacity: Double(rate.burst), ratePerSecond: rate.perSecond, now: now)
        defer { quotaState.buckets[project] = bucket }
        let wait = bucket.take(at: now)
        guard wait == 0 else {
            throw .rateLimited(
                retryAfterMilliseconds: wait,
                message: "this project sends more than \(Self.describe(rate.perSecond)) requests per second (burst \(rate.burst))")
        }
    }

    /// Refuses a new receipt of `project` when it already has as many pending as the quota allows.
    func requirePendingCapacity(of project: ProjectState) throws(EngineError) {
        guard let maximum = quotaState.quota.maximumPendingPerProject, project.events.pendingCount >= maximum else { return }
        throw .rateLimited(
            retryAfterMilliseconds: Self.pendingCapRetryAfterMilliseconds,
            message: "this project has \(project.events.pendingCount) receipts waiting for a result, the most allowed; send their results or wait for their deadlines")
    }

    private static func describe(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int64(rate)) : String(rate)
    }
}
