/// When a commit under `--durability fsync` waits a moment for more records before it writes.
///
/// A commit costs about the same CPU whether it carries one record or twenty: on this project's
/// machines most of it is the device's notification, its cache flush and the completion
/// interrupt, not the bytes (Benchmarks/README, "Commits that gather"). So while requests arrive
/// concurrently, a commit that waits a little carries more of them and each costs less. This is
/// PostgreSQL's `commit_delay` with `commit_siblings`, and MySQL's
/// `binlog_group_commit_sync_delay`: it trades at most ``delay`` of latency for throughput, and
/// only under load. A commit waits only when the previous one carried at least
/// ``busyCommitRecords`` records; a request arriving at a quiet server is written at once.
///
/// The wait ends early when the journal must sync for another reason (a snapshot's flush, a
/// rotation, shutdown): those never wait for the delay.
public struct CommitGathering: Sendable, Equatable {
    /// The longest a commit waits, counted from its first record's arrival. `.zero`: never waits.
    public var delay: Duration
    /// How many records the previous commit must have carried for the next one to wait: fewer
    /// means requests are not arriving concurrently, and waiting would only add latency.
    public var busyCommitRecords: Int

    public init(delay: Duration, busyCommitRecords: Int = 4) {
        precondition(delay >= .zero && busyCommitRecords >= 1)
        self.delay = delay
        self.busyCommitRecords = busyCommitRecords
    }

    /// `--commit-delay`'s default: long enough to double a busy commit's records on this
    /// project's machines (a commit takes 0.3–0.6 ms there), short beside a busy request's
    /// latency (2–4 ms under the benchmark's load).
    public static let standard = CommitGathering(delay: .microseconds(250))

    public static let never = CommitGathering(delay: .zero)

    /// When the commit whose first record arrived at `firstRecordArrival` should write, given
    /// the number of records the previous commit carried; nil: at once.
    public func writeInstant(
        firstRecordArrival: ContinuousClock.Instant, previousCommitRecords: Int
    ) -> ContinuousClock.Instant? {
        guard delay > .zero, previousCommitRecords >= busyCommitRecords else { return nil }
        return firstRecordArrival + delay
    }
}
