/// A key as a command carries it: its hash, never the key.
public struct NewKey: Sendable, Equatable {
    public let label: String
    public let scope: KeyScope
    public let hash: SecretHash

    public init(label: String, scope: KeyScope, hash: SecretHash) {
        self.label = label
        self.scope = scope
        self.hash = hash
    }
}

/// Every change a shard can make, with each input resolved: the instant comes with it when
/// applied, secrets were drawn by the caller, identifiers come from the shard's deterministic
/// generator. Applying the same commands in the same order to the same state gives the same
/// state, which is what the journal relies on.
public enum ShardCommand: Sendable, Equatable {
    case createProject(ProjectID, ProjectSettings, signingSecret: String, key: NewKey)
    case updateProject(ProjectID, ProjectSettingsChange)
    case createKey(ProjectID, NewKey)
    case revokeKey(ProjectID, KeyID)
    case rotateSigningSecret(ProjectID, secret: String)
    case receipt(ProjectID, Access, Receipt, IdempotencyToken)
    case result(ProjectID, Access, ResultReport, IdempotencyToken)
    case resolve(ProjectID, Access, incident: String, note: String?)
    case reprocess(ProjectID, Access, incident: String)
    case reprocessMatching(ProjectID, Access, ReprocessSelection)
    /// A deliverer's report of one attempt (a repair callback, an alert).
    case recordDeliveryAttempt(ProjectID, DeliveryReport)
    /// Expire what is due: journaled only when something expired.
    case advance
    /// An operator action (a project, key, secret or incident change) with who did it: applied
    /// as the inner command, and recorded in the shard's audit trail (ShardState+Audit.swift).
    indirect case audited(ShardCommand, by: AuditActor)

    /// The project the command is about; nil for `advance`, which concerns the whole shard.
    public var project: ProjectID? {
        switch self {
        case .createProject(let id, _, _, _), .updateProject(let id, _), .createKey(let id, _), .revokeKey(let id, _),
             .rotateSigningSecret(let id, _), .receipt(let id, _, _, _), .result(let id, _, _, _), .resolve(let id, _, _, _),
             .reprocess(let id, _, _), .reprocessMatching(let id, _, _), .recordDeliveryAttempt(let id, _):
            return id
        case .audited(let command, _):
            return command.project
        case .advance:
            return nil
        }
    }
}

/// What applying a ``ShardCommand`` answered.
public enum CommandOutcome: Sendable {
    case project(ProjectSummary, key: APIKeyRecord?)
    case key(APIKeyRecord)
    case signingSecret(String)
    case receipt(IngestReply<ReceiptAccepted>)
    case result(IngestReply<ResultApplied>)
    case incident(IncidentView)
    case replay(IncidentView, ReplayID)
    case replays([(incident: IncidentID, replay: ReplayID)], truncated: Bool)
    case attemptRecorded(Bool)
    case advanced(expired: Int)

    /// Whether the state changed, so that the journal must keep the command. An idempotent
    /// replay or an advance that expired nothing changed nothing worth keeping.
    public var changedState: Bool {
        switch self {
        case .receipt(let reply): return !reply.replayed
        case .result(let reply): return !reply.replayed
        case .advanced(let expired): return expired > 0
        case .attemptRecorded(let recorded): return recorded
        case .project, .key, .signingSecret, .incident, .replay, .replays: return true
        }
    }
}

extension ShardState {
    /// Applies `command` at `now`. A refused command (a thrown ``EngineError``) changes nothing.
    public func apply(_ command: ShardCommand, now: Timestamp) throws(EngineError) -> CommandOutcome {
        switch command {
        case .createProject(let id, let settings, let signingSecret, let key):
            let (project, record) = try createProject(id: id, settings: settings, signingSecret: signingSecret, key: key, now: now)
            return .project(project, key: record)
        case .updateProject(let id, let change):
            return .project(try updateProject(id: id, change: change), key: nil)
        case .createKey(let id, let key):
            return .key(try createKey(project: id, key: key, now: now))
        case .revokeKey(let id, let keyID):
            return .key(try revokeKey(project: id, key: keyID, now: now))
        case .rotateSigningSecret(let id, let secret):
            return .signingSecret(try rotateSigningSecret(project: id, to: secret, now: now))
        case .receipt(let id, let access, let receipt, let token):
            return .receipt(try self.receipt(receipt, access: access, project: id, idempotency: token, now: now))
        case .result(let id, let access, let report, let token):
            return .result(try result(report, access: access, project: id, idempotency: token, now: now))
        case .resolve(let id, let access, let incident, let note):
            return .incident(try resolveManually(incident, note: note, access: access, project: id, now: now))
        case .reprocess(let id, let access, let incident):
            let (view, replay) = try reprocess(incident, access: access, project: id, now: now)
            return .replay(view, replay)
        case .reprocessMatching(let id, let access, let selection):
            let (replays, truncated) = try reprocess(matching: selection, access: access, project: id, now: now)
            return .replays(replays.map { (incident: $0.0, replay: $0.1) }, truncated: truncated)
        case .recordDeliveryAttempt(let id, let report):
            return .attemptRecorded(try recordDeliveryAttempt(report, project: id, now: now))
        case .advance:
            return .advanced(expired: advance(to: now))
        case .audited(let command, let actor):
            return try applyAudited(command, by: actor, now: now)
        }
    }
}

extension ShardCommand: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .createProject(let id, let settings, let secret, let key):
            writer.write(UInt8(1)); writer.write(id); writer.write(settings); writer.write(secret); writer.write(key)
        case .updateProject(let id, let change):
            writer.write(UInt8(2)); writer.write(id); writer.write(change)
        case .createKey(let id, let key):
            writer.write(UInt8(3)); writer.write(id); writer.write(key)
        case .revokeKey(let id, let keyID):
            writer.write(UInt8(4)); writer.write(id); writer.write(keyID)
        case .rotateSigningSecret(let id, let secret):
            writer.write(UInt8(5)); writer.write(id); writer.write(secret)
        case .receipt(let id, let access, let receipt, let token):
            writer.write(UInt8(6)); writer.write(id); writer.write(access); writer.write(receipt); writer.write(token)
        case .result(let id, let access, let report, let token):
            writer.write(UInt8(7)); writer.write(id); writer.write(access); writer.write(report); writer.write(token)
        case .resolve(let id, let access, let incident, let note):
            writer.write(UInt8(8)); writer.write(id); writer.write(access); writer.write(incident); writer.write(note)
        case .advance:
            writer.write(UInt8(9))
        case .reprocess(let id, let access, let incident):
            writer.write(UInt8(10)); writer.write(id); writer.write(access); writer.write(incident)
        case .reprocessMatching(let id, let access, let selection):
            writer.write(UInt8(11)); writer.write(id); writer.write(access); writer.write(selection)
        case .recordDeliveryAttempt(let id, let report):
            writer.write(UInt8(12)); writer.write(id); writer.write(report)
        case .audited(let command, let actor):
            writer.write(UInt8(13)); writer.write(actor); writer.write(command)
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 1: self = .createProject(try reader.read(), try reader.read(), signingSecret: try reader.readString(), key: try reader.read())
        case 2: self = .updateProject(try reader.read(), try reader.read())
        case 3: self = .createKey(try reader.read(), try reader.read())
        case 4: self = .revokeKey(try reader.read(), try reader.read())
        case 5: self = .rotateSigningSecret(try reader.read(), secret: try reader.readString())
        case 6: self = .receipt(try reader.read(), try reader.read(), try reader.read(), try reader.read())
        case 7: self = .result(try reader.read(), try reader.read(), try reader.read(), try reader.read())
        case 8: self = .resolve(try reader.read(), try reader.read(), incident: try reader.readString(), note: try reader.readOptionalString())
        case 9: self = .advance
        case 10: self = .reprocess(try reader.read(), try reader.read(), incident: try reader.readString())
        case 11: self = .reprocessMatching(try reader.read(), try reader.read(), try reader.read())
        case 12: self = .recordDeliveryAttempt(try reader.read(), try reader.read())
        case 13:
            let actor: AuditActor = try reader.read()
            self = .audited(try reader.read(), by: actor)
        default: throw reader.failure("unknown command")
        }
    }
}
