import SendPromptlyCore

/// Where shards record the commands that changed their state, before anyone is told.
///
/// `append` is synchronous and called inside the shard actor, right after the command was
/// applied, so a shard's records are in the order its state changed. The caller then waits
/// for the record outside the actor (``whenDurable(_:_:)`` or ``waitUntilDurable(_:)``) and
/// answers its client only after that: what "durable" means (after `fsync`, or earlier) is the
/// journal's durability setting.
public protocol CommandJournal: Sendable {
    /// Records `command` as applied by `shard` at `now`; answers the record's sequence number.
    func append(shard: Int, at now: Timestamp, _ command: ShardCommand) -> UInt64
    /// Calls `completion` once the record `sequence` is as durable as the setting promises, or
    /// with the failure that means it never will be (the journal failed).
    ///
    /// When the record already is durable, `completion` runs at once on the caller's thread;
    /// otherwise it runs on the journal's own thread, so it must only hand the result on
    /// (complete a promise, resume a continuation), never block.
    func whenDurable(_ sequence: UInt64, _ completion: @escaping @Sendable (Result<Void, any Error>) -> Void)
    /// The sequence number of the last record appended so far: a shard's snapshot taken now
    /// holds every record of that shard up to it.
    var lastSequence: UInt64 { get }
}

extension CommandJournal {
    /// Returns once the record `sequence` is as durable as the setting promises; throws when
    /// it can never be (the journal failed).
    public func waitUntilDurable(_ sequence: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            whenDurable(sequence) { continuation.resume(with: $0) }
        }
    }
}
