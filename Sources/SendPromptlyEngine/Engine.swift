import NIOCore
import NIOPosix
import SendPromptlyCore
import Synchronization

/// The engine: a fixed set of ``Shard`` actors, each owning the projects hashed to it, one
/// clock for all of them, the journal they record into, and the directory that routes an API
/// key to its project's shard.
///
/// There is no lock on the ingest path: a request hashes its key, finds the project in the
/// lock-free ``KeyDirectory`` and talks to that project's shard alone; it then waits for its
/// journal record to be durable, which the journal batches with other requests' records.
public final class Engine: Sendable {
    public let shards: [Shard]
    public let clock: any EngineClock
    let journal: (any CommandJournal)?
    let directory = KeyDirectory()
    private let subscribers = EffectSubscribers()

    /// An engine over recovered shard states (or new ones), journaling into `journal`; every
    /// project is held to `quota` from now on.
    ///
    /// Shard `i` runs on `eventLoops[i % eventLoops.count]`: pass the loops of the HTTP server
    /// (by default both use NIO's shared group) so that requests reach their shard without a
    /// thread hop as often as possible.
    public init(
        states: [ShardState], clock: any EngineClock, journal: (any CommandJournal)?, quota: IngestQuota = .unlimited,
        eventLoops: [any EventLoop] = Engine.sharedEventLoops
    ) {
        precondition(!states.isEmpty, "an engine has at least one shard")
        precondition(!eventLoops.isEmpty, "an engine runs on at least one event loop")
        let subscribers = subscribers
        self.clock = clock
        self.journal = journal
        for state in states {
            state.install(quota)
            for (hash, project) in state.keyHashes() { directory.register(hash, project: project) }
        }
        var shards: [Shard] = []
        for (index, state) in states.enumerated() {
            shards.append(Shard(
                index: index, state: state, eventLoop: eventLoops[index % eventLoops.count], clock: clock, journal: journal
            ) { subscribers.publish($0) })
        }
        self.shards = shards
    }

    /// A new, empty engine without a journal (tests, benchmarks).
    ///
    /// - Parameters:
    ///   - shardCount: at least 1; the server's default is the number of cores.
    ///   - tickMilliseconds: the resolution of every deadline, and so the maximum lateness of a
    ///     timeout (plus the time between two ``advance()`` calls).
    ///   - retention: how long finished events and idempotency records stay.
    public convenience init(
        shardCount: Int, clock: any EngineClock, tickMilliseconds: Int64 = 100, quota: IngestQuota = .unlimited,
        retention: RetentionPolicy = .standard
    ) {
        let now = clock.now()
        self.init(
            states: (0..<shardCount).map {
                ShardState.initial(shard: $0, now: now, tickMilliseconds: tickMilliseconds, retention: retention)
            },
            clock: clock, journal: nil, quota: quota)
    }

    /// The loops of NIO's shared group, which Hummingbird's server also runs on by default.
    public static var sharedEventLoops: [any EventLoop] {
        Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
    }

    /// The shard owning `project`: FNV-1a of the id, stable across processes (Swift's
    /// `Hasher` is seeded per process), so a project stays on its shard across restarts.
    public static func shardIndex(for project: ProjectID, shardCount: Int) -> Int {
        project.withSpelling { spelling in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in spelling {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            return Int(hash % UInt64(shardCount))
        }
    }

    public func shard(for project: ProjectID) -> Shard {
        shards[Self.shardIndex(for: project, shardCount: shards.count)]
    }

    /// The access an API key grants: `unauthorized` unless the key is well formed and was
    /// issued by this engine. Revocation and scope are checked by the project's shard.
    public func access(forAPIKey key: Substring) throws(EngineError) -> Access {
        guard SecretFormat.isWellFormedAPIKey(key) else { throw .unauthorized }
        return try access(forAPIKeyHash: SecretHash(of: String(key)))
    }

    /// ``access(forAPIKey:)`` for a caller that kept the hash of a key this method's sibling
    /// accepted before (a connection presenting the same key again): no hashing, only the
    /// lookup, so a key issued, or a project moved, since then is seen as it is now.
    public func access(forAPIKeyHash hash: SecretHash) throws(EngineError) -> Access {
        guard let project = directory.project(forKeyHash: hash) else { throw .unauthorized }
        return .apiKey(project: project, hash: hash)
    }

    /// Applies `command` on the shard of its project and returns once it is durable.
    public func execute(_ command: ShardCommand) async throws -> CommandOutcome {
        guard let project = command.project else { preconditionFailure("advance runs on every shard") }
        let (outcome, sequence) = try await shard(for: project).execute(command)
        if let sequence, let journal { try await journal.waitUntilDurable(sequence) }
        return outcome
    }

    /// ``execute(_:)`` for a caller on an event loop, without a Swift task: the command runs on
    /// its shard's loop (at once when that is the calling thread), then `completion` receives
    /// the outcome once it is durable.
    ///
    /// `completion` runs on the shard's loop or on the journal's thread; it must hand the
    /// result on (to the caller's loop) rather than do work there.
    public func submit(_ command: ShardCommand, completion: @escaping @Sendable (Result<CommandOutcome, any Error>) -> Void) {
        guard let project = command.project else { preconditionFailure("advance runs on every shard") }
        let shard = shard(for: project)
        let journal = journal
        let apply: @Sendable () -> Void = {
            let outcome: CommandOutcome
            let sequence: UInt64?
            do {
                (outcome, sequence) = try shard.executeHere(command)
            } catch {
                return completion(.failure(error))
            }
            guard let sequence, let journal else { return completion(.success(outcome)) }
            journal.whenDurable(sequence) { completion($0.map { outcome }) }
        }
        if shard.eventLoop.inEventLoop { apply() } else { shard.eventLoop.execute(apply) }
    }

    /// Runs a read on the shard of `project`.
    public func read<Answer: Sendable, Failure: Error>(
        on project: ProjectID, _ operation: @Sendable (ShardState, Timestamp) throws(Failure) -> Answer
    ) async throws(Failure) -> Answer {
        try await shard(for: project).read(operation)
    }

    /// Expires every deadline due now, in every shard at once.
    public func advance() async {
        await withTaskGroup(of: Void.self) { group in
            for shard in shards {
                group.addTask { _ = try? await shard.execute(.advance) }
            }
        }
    }

    /// Returns once everything journaled so far is durable: a deliverer calls it before acting
    /// on state it read, so that a crash cannot undo what it already sent.
    public func waitUntilDurable() async throws {
        guard let journal else { return }
        try await journal.waitUntilDurable(journal.lastSequence)
    }

    /// Every delivery with an attempt due, over all shards (what deliverers resume on start).
    public func dueDeliveries() async -> [DeliveryTicket] {
        var tickets: [DeliveryTicket] = []
        for shard in shards {
            tickets += await shard.read { state, _ in state.dueDeliveries() }
        }
        return tickets
    }

    /// The effects of every shard from now on, in the order each shard made them: the effect
    /// log, the notifier and the repair dispatcher each subscribe once, before they read the
    /// state they resume from, so that nothing falls between the two.
    public func subscribeToEffects() -> AsyncStream<EngineEffect> {
        subscribers.subscribe()
    }

    /// Ends every subscriber's stream once the last shard operation has been published.
    public func finishEffects() {
        subscribers.finish()
    }

    /// What the next callback attempt of `ticket`'s replay sends; nil when it no longer waits
    /// for one.
    public func replayDelivery(for ticket: DeliveryTicket) async -> ReplayDelivery? {
        await read(on: ticket.projectID) { state, now in state.replayDelivery(for: ticket, now: now) }
    }

    /// What the next attempt of `ticket`'s alert sends; nil when it no longer waits for one.
    public func alertDelivery(for ticket: DeliveryTicket) async -> AlertDelivery? {
        await read(on: ticket.projectID) { state, _ in state.alertDelivery(for: ticket) }
    }

    // MARK: Operator actions that issue secrets (each recorded in the audit trail as `actor`'s)

    /// Creates a project with a `manage` key; the key appears in this answer only.
    public func createProject(_ settings: ProjectSettings, by actor: AuditActor) async throws -> ProjectCreated {
        var generator = IdentifierGenerator()
        let id = generator.next(ProjectKind.self, at: clock.now())
        let apiKey = SecretFormat.apiKey()
        let key = NewKey(label: "default", scope: .manage, hash: SecretHash(of: apiKey))
        let outcome = try await execute(.audited(.createProject(id, settings, signingSecret: SecretFormat.signingSecret(), key: key), by: actor))
        guard case .project(let project, let record?) = outcome else { preconditionFailure("createProject answers a project") }
        directory.register(key.hash, project: id)
        return ProjectCreated(project: project, apiKey: apiKey, key: record)
    }

    public func createKey(project: ProjectID, _ request: KeyRequest, by actor: AuditActor) async throws -> KeyCreated {
        let apiKey = SecretFormat.apiKey()
        let key = NewKey(label: request.label, scope: request.scope, hash: SecretHash(of: apiKey))
        guard case .key(let record) = try await execute(.audited(.createKey(project, key), by: actor)) else {
            preconditionFailure("createKey answers a key")
        }
        directory.register(key.hash, project: project)
        return KeyCreated(apiKey: apiKey, key: record)
    }

    public func rotateSigningSecret(project: ProjectID, by actor: AuditActor) async throws -> String {
        let command = ShardCommand.rotateSigningSecret(project, secret: SecretFormat.signingSecret())
        guard case .signingSecret(let secret) = try await execute(.audited(command, by: actor)) else {
            preconditionFailure("rotateSigningSecret answers a secret")
        }
        return secret
    }

    /// Every project of every shard, oldest first.
    public func projects() async -> [ProjectSummary] {
        var all: [ProjectSummary] = []
        for shard in shards {
            all += await shard.read { state, _ in state.projectSummaries() }
        }
        return all.sorted { $0.id < $1.id }
    }

    public func pendingReceiptCounts() async -> [Int] {
        var counts: [Int] = []
        for shard in shards { counts.append(await shard.pendingReceiptCount) }
        return counts
    }
}
