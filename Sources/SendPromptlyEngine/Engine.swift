import SendPromptlyCore

/// The engine: a fixed set of ``Shard`` actors, each owning the projects hashed to it, one
/// clock for all of them, and the directory that routes an API key to its project's shard.
///
/// There is no lock on the ingest path: a request hashes its key, finds the project in the
/// lock-free ``KeyDirectory`` and talks to that project's shard alone.
public final class Engine: Sendable {
    public let shards: [Shard]
    public let clock: any EngineClock
    let directory = KeyDirectory()
    /// Incidents opened and resolved, in the order each shard made them; the notifier and the
    /// repair dispatcher read here.
    public let effects: AsyncStream<EngineEffect>
    private let effectsContinuation: AsyncStream<EngineEffect>.Continuation

    /// - Parameters:
    ///   - shardCount: at least 1; the default is the number of cores.
    ///   - tickMilliseconds: the resolution of every deadline, and so the maximum lateness of a
    ///     timeout (plus the time between two ``advance()`` calls).
    public init(shardCount: Int, clock: any EngineClock, tickMilliseconds: Int64 = 100) {
        precondition(shardCount >= 1, "an engine has at least one shard")
        (effects, effectsContinuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        let continuation = effectsContinuation
        self.clock = clock
        self.shards = (0..<shardCount).map { index in
            Shard(index: index, clock: clock, tickMilliseconds: tickMilliseconds) { continuation.yield($0) }
        }
    }

    /// The shard owning `project`: FNV-1a of the id, stable across processes (Swift's
    /// `Hasher` is seeded per process), so a project stays on its shard across restarts.
    public func shard(for project: ProjectID) -> Shard {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in project.rawValue.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return shards[Int(hash % UInt64(shards.count))]
    }

    /// The access an API key grants: `unauthorized` unless the key is well formed and was
    /// issued by this engine. Revocation and scope are checked by the project's shard.
    public func access(forAPIKey key: Substring) throws(EngineError) -> Access {
        guard SecretFormat.isWellFormedAPIKey(key) else { throw .unauthorized }
        let hash = SecretHash(of: String(key))
        guard let project = directory.project(forKeyHash: hash) else { throw .unauthorized }
        return .apiKey(project: project, hash: hash)
    }

    /// Runs `operation` on the shard of `project`.
    public func perform<Answer: Sendable, Failure: Error>(
        on project: ProjectID, _ operation: @Sendable (ShardState, Timestamp) throws(Failure) -> Answer
    ) async throws(Failure) -> Answer {
        try await shard(for: project).perform(operation)
    }

    /// Expires every deadline due now, in every shard at once.
    public func advance() async {
        await withTaskGroup(of: Void.self) { group in
            for shard in shards {
                group.addTask { await shard.advance() }
            }
        }
    }

    /// Ends ``effects`` once the last shard operation has been published.
    public func finishEffects() {
        effectsContinuation.finish()
    }

    // MARK: Operator actions that span shards or issue keys

    public func createProject(_ settings: ProjectSettings) async -> ProjectCreated {
        var generator = IdentifierGenerator()
        let id = generator.next(ProjectKind.self, at: clock.now())
        let created = await shard(for: id).perform { state, now in
            state.createProject(id: id, settings: settings, now: now)
        }
        directory.register(created.key.hash, project: id)
        return created
    }

    public func createKey(project: ProjectID, _ request: KeyRequest) async throws(EngineError) -> KeyCreated {
        let created = try await perform(on: project) { state, now throws(EngineError) in
            try state.createKey(project: project, request: request, now: now)
        }
        directory.register(created.key.hash, project: project)
        return created
    }

    /// Every project of every shard, oldest first.
    public func projects() async -> [ProjectSummary] {
        var all: [ProjectSummary] = []
        for shard in shards {
            all += await shard.perform { state, _ in state.projectSummaries() }
        }
        return all.sorted { $0.id < $1.id }
    }

    public func pendingReceiptCounts() async -> [Int] {
        var counts: [Int] = []
        for shard in shards { counts.append(await shard.pendingReceiptCount) }
        return counts
    }
}
