import SendPromptlyCore

/// Where shards record the commands that changed their state, before anyone is told.
///
/// `append` is synchronous and called inside the shard actor, right after the command was
/// applied, so a shard's records are in the order its state changed. The caller then awaits
/// `waitUntilDurable` outside the actor and answers its client only after it returns: what
/// "durable" means (after `fsync`, or earlier) is the journal's durability setting.
public protocol CommandJournal: Sendable {
    /// Records `command` as applied by `shard` at `now`; answers the record's sequence number.
    func append(shard: Int, at now: Timestamp, _ command: ShardCommand) -> UInt64
    /// Returns once the record `sequence` is as durable as the setting promises; throws when
    /// it can never be (the journal failed).
    func waitUntilDurable(_ sequence: UInt64) async throws
    /// The sequence number of the last record appended so far: a shard's snapshot taken now
    /// holds every record of that shard up to it.
    var lastSequence: UInt64 { get }
}
