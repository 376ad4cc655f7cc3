/// The state machine of one shard: the projects hashed to it, their keys, events, incidents
/// and idempotency records, and one timing wheel for every deadline among them.
///
/// Pure: no I/O, no clock of its own. Every operation takes `now` from its caller, so a test
/// drives it to the millisecond, and a journal can later replay it. Not thread-safe: the
/// `Shard` actor owns one and serialises every call. A refused operation (a thrown
/// ``EngineError``) changes nothing.
public final class ShardState {
    private(set) var generator: IdentifierGenerator
    let wheel: TimingWheel
    var projects: [ProjectID: ProjectState] = [:]
    /// Effects of the operations so far, in order; the owner drains them with ``takeEffects()``.
    private var effects: [EngineEffect] = []

    public init(generator: IdentifierGenerator = IdentifierGenerator(), now: Timestamp, tickMilliseconds: Int64 = 100) {
        self.generator = generator
        self.wheel = TimingWheel(tickMilliseconds: tickMilliseconds, startingAt: now.millisecondsSinceEpoch)
    }

    /// Receipts waiting for their result, over all projects of the shard.
    public var pendingReceiptCount: Int {
        projects.values.reduce(0) { $0 + $1.timers.count }
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

    public func createProject(id: ProjectID, settings: ProjectSettings, now: Timestamp) -> ProjectCreated {
        let project = ProjectState(
            id: id, settings: settings, signingSecret: SecretFormat.signingSecret(using: &generator), createdAt: now)
        projects[id] = project
        let created = issueKey(in: project, request: KeyRequest(label: "default", scope: .manage), now: now)
        return ProjectCreated(project: project.summary(), apiKey: created.apiKey, key: created.key)
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

    public func createKey(project id: ProjectID, request: KeyRequest, now: Timestamp) throws(EngineError) -> KeyCreated {
        guard let project = projects[id] else { throw .notFound("no such project") }
        return issueKey(in: project, request: request, now: now)
    }

    private func issueKey(in project: ProjectState, request: KeyRequest, now: Timestamp) -> KeyCreated {
        let apiKey = SecretFormat.apiKey(using: &generator)
        let record = APIKeyRecord(
            id: nextID(KeyKind.self, at: now), label: request.label, scope: request.scope,
            hash: SecretHash(of: apiKey), createdAt: now)
        project.keys[record.id] = record
        project.keyIDsByHash[record.hash] = record.id
        return KeyCreated(apiKey: apiKey, key: record)
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

    /// A new signing secret; the previous one keeps signing for ``SigningSecrets/gracePeriodSeconds``.
    public func rotateSigningSecret(project id: ProjectID, now: Timestamp) throws(EngineError) -> String {
        guard let project = projects[id] else { throw .notFound("no such project") }
        let secret = SecretFormat.signingSecret(using: &generator)
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
