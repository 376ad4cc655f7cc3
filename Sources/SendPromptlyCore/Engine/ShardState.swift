/// The state machine of one shard: the projects hashed to it, their keys, events, incidents
/// and idempotency records, and one timing wheel for the deadlines of receipts and replays.
///
/// Pure: no I/O, no clock of its own. Every operation takes `now` from its caller, so a test
/// drives it to the millisecond, and a journal can later replay it. Not thread-safe: the
/// `Shard` actor owns one and serialises every call. A refused operation (a thrown
/// ``EngineError``) changes nothing.
///
/// `@unchecked Sendable` only so that a state built or recovered outside an actor can be handed
/// to the actor that will own it; from then on nothing else touches it.
public final class ShardState: @unchecked Sendable {
    private(set) var generator: IdentifierGenerator
    let wheel: TimingWheel
    var projects: [ProjectID: ProjectState] = [:]
    /// The same projects by ``ProjectState/ordinal``, which is their index here.
    private(set) var projectsByOrdinal: [ProjectState] = []
    /// The quota live requests are held to (``install(_:)``); unlimited while a journal replays.
    var quotaState = QuotaState()
    /// Effects of the operations so far, in order; the owner drains them with ``takeEffects()``.
    private var effects: [EngineEffect] = []
    /// Operator actions, oldest first, at most ``auditCapacity`` (see ShardState+Audit.swift).
    var auditLog: [AuditEntry] = []
    /// The event types of accepted receipts, one copy each.
    var eventTypes = StringInterner()
    /// How long finished events and idempotency records stay. Set it before a journal
    /// replays: the replay removes and forgets by it, so it must be the policy of the run that
    /// wrote the journal (`serve` passes the same flags to both).
    public var retention: RetentionPolicy
    /// Each project's retention sweep (ShardState+Retention.swift).
    var retentionSweeps: [ProjectID: RetentionSweep] = [:]

    public init(
        generator: IdentifierGenerator = IdentifierGenerator(), now: Timestamp, tickMilliseconds: Int64 = 100,
        retention: RetentionPolicy = .standard
    ) {
        self.generator = generator
        self.wheel = TimingWheel(tickMilliseconds: tickMilliseconds, startingAt: now.millisecondsSinceEpoch)
        self.retention = retention
    }

    /// The empty state of shard `index` in a new data directory. Its identifier generator is
    /// seeded from the index alone, so that replaying a journal from its first record issues
    /// the same identifiers as the run that wrote it.
    public static func initial(
        shard index: Int, now: Timestamp, tickMilliseconds: Int64 = 100, retention: RetentionPolicy = .standard
    ) -> ShardState {
        ShardState(
            generator: IdentifierGenerator(seed: 0x5EED_0000_0000_0000 &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15),
            now: now, tickMilliseconds: tickMilliseconds, retention: retention)
    }

    /// Receipts waiting for their result, over all projects of the shard.
    public var pendingReceiptCount: Int {
        projects.values.reduce(0) { $0 + $1.events.pendingCount }
    }

    /// Hands over the effects recorded since the last call, oldest first.
    public func takeEffects() -> [EngineEffect] {
        defer { effects.removeAll(keepingCapacity: true) }
        return effects
    }

    func emit(_ effect: EngineEffect) {
        effects.append(effect)
    }

    func nextID<Kind>(_ kind: Kind.Type, at now: Timestamp) -> Identifier<Kind> {
        generator.next(kind, at: now)
    }

    // MARK: Access

    /// The project `access` may act on, after checking the key: unknown, revoked or foreign
    /// keys are `unauthorized`, a key without `scope` is `forbidden`. Records the key's use.
    func authorize(_ access: Access, project id: ProjectID, scope: KeyScope, now: Timestamp) throws(EngineError) -> ProjectState {
        switch access {
        case .administrator:
            guard let project = projects[id] else { throw .notFound("no such project") }
            return project
        case .apiKey(let keyProject, let hash):
            guard let project = projects[keyProject],
                  let keyID = project.keyIDsByHash[hash],
                  var key = project.keys[keyID],
                  key.hash.constantTimeEquals(hash),
                  key.isActive
            else { throw .unauthorized }
            // A key never reaches another project: ids outside its own answer as unknown.
            guard keyProject == id else { throw .notFound("no such project") }
            guard key.scope == .manage || scope == .ingest else {
                throw .forbidden("this call needs a key with scope manage")
            }
            key.lastUsedAt = now
            project.keys[keyID] = key
            return project
        }
    }

    // MARK: Projects and keys

    /// Creates a project with its first key. The secrets come from the caller (drawn from the
    /// system's random source), so that the journal can replay the creation exactly; the key
    /// arrives as its hash only.
    public func createProject(
        id: ProjectID, settings: ProjectSettings, signingSecret: String, key: NewKey, now: Timestamp
    ) throws(EngineError) -> (ProjectSummary, APIKeyRecord) {
        guard projects[id] == nil else { throw .conflict("project \(id) exists") }
        guard projectsByOrdinal.count < ShardDeadline.projectLimit else { throw .conflict("this shard holds as many projects as it can") }
        let project = addProject(id: id, settings: settings, signingSecret: signingSecret, createdAt: now)
        let record = addKey(key, to: project, now: now)
        return (project.summary(), record)
    }

    /// Adds a new project with the next ordinal; its id must be new to the shard.
    func addProject(id: ProjectID, settings: ProjectSettings, signingSecret: String, createdAt: Timestamp) -> ProjectState {
        let project = ProjectState(
            id: id, ordinal: UInt32(projectsByOrdinal.count), settings: settings, signingSecret: signingSecret, createdAt: createdAt)
        projects[id] = project
        projectsByOrdinal.append(project)
        return project
    }

    public func updateProject(id: ProjectID, change: ProjectSettingsChange) throws(EngineError) -> ProjectSummary {
        guard let project = projects[id] else { throw .notFound("no such project") }
        change.apply(to: &project.settings)
        return project.summary()
    }

    public func project(id: ProjectID) throws(EngineError) -> ProjectSummary {
        guard let project = projects[id] else { throw .notFound("no such project") }
        return project.summary()
    }

    public func projectSummaries() -> [ProjectSummary] {
        projects.values.map { $0.summary() }
    }

    public func createKey(project id: ProjectID, key: NewKey, now: Timestamp) throws(EngineError) -> APIKeyRecord {
        guard let project = projects[id] else { throw .notFound("no such project") }
        return addKey(key, to: project, now: now)
    }

    private func addKey(_ key: NewKey, to project: ProjectState, now: Timestamp) -> APIKeyRecord {
        let record = APIKeyRecord(
            id: nextID(KeyKind.self, at: now), label: key.label, scope: key.scope, hash: key.hash, createdAt: now)
        project.keys[record.id] = record
        project.keyIDsByHash[record.hash] = record.id
        return record
    }

    /// Every key hash of every project, for the engine's key directory.
    public func keyHashes() -> [(SecretHash, ProjectID)] {
        projects.values.flatMap { project in project.keys.values.map { ($0.hash, project.id) } }
    }

    public func keys(project id: ProjectID) throws(EngineError) -> [APIKeyRecord] {
        guard let project = projects[id] else { throw .notFound("no such project") }
        return project.keys.values.sorted { $0.id < $1.id }
    }

    /// Revokes at once: the next request with the key is `unauthorized`. Revoking twice is
    /// harmless and keeps the first revocation time.
    public func revokeKey(project id: ProjectID, key keyID: KeyID, now: Timestamp) throws(EngineError) -> APIKeyRecord {
        guard let project = projects[id], var key = project.keys[keyID] else { throw .notFound("no such key") }
        if key.revokedAt == nil {
            key.revokedAt = now
            project.keys[keyID] = key
        }
        return key
    }

    /// Installs `secret` as the signing secret; the previous one keeps signing for
    /// ``SigningSecrets/gracePeriodSeconds``.
    public func rotateSigningSecret(project id: ProjectID, to secret: String, now: Timestamp) throws(EngineError) -> String {
        guard let project = projects[id] else { throw .notFound("no such project") }
        project.signingSecrets = SigningSecrets(
            current: secret, previous: project.signingSecrets.current,
            previousExpiresAt: now.adding(seconds: SigningSecrets.gracePeriodSeconds))
        return secret
    }

    public func signingSecrets(project id: ProjectID, now: Timestamp) throws(EngineError) -> [String] {
        guard let project = projects[id] else { throw .notFound("no such project") }
        return project.signingSecrets.active(at: now)
    }
}
