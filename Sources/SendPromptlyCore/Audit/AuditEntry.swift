/// Who did an operator action, as the audit trail records it.
public enum AuditActor: Sendable, Equatable {
    /// The admin token, on `/admin/v1`.
    case adminToken
    /// A console session, by a short public name of it (a prefix of its token's SHA-256: it
    /// tells sessions apart and opens none).
    case consoleSession(String)
    /// A project's API key, by its id.
    case apiKey(KeyID)
    /// In a command only: the API key the command's ``Access`` carries. The shard records it
    /// as ``apiKey(_:)`` with the key's id, which only the shard can look up.
    case commandKey

    /// How the audit endpoint and the console name the actor: `admin_token`,
    /// `console_session:<name>`, `api_key:<key id>`.
    public var label: String {
        switch self {
        case .adminToken: return "admin_token"
        case .consoleSession(let name): return "console_session:\(name)"
        case .apiKey(let id): return "api_key:\(id.rawValue)"
        case .commandKey: return "api_key"
        }
    }
}

/// One operator action that changed something: who, what, when, on which project.
///
/// Entries hold identifiers and the names of changed fields, never values: a changed Slack
/// webhook URL or a rotated signing secret is a secret, and the trail is shown to whoever reads
/// the console.
public struct AuditEntry: Sendable, Equatable {
    public let at: Timestamp
    public let actor: AuditActor
    /// `project.create`, `project.update`, `key.create`, `key.revoke`,
    /// `signing_secret.rotate`, `incident.resolve`, `incident.reprocess`,
    /// `incident.reprocess_bulk`.
    public let action: String
    public let projectID: ProjectID
    /// The key or incident acted on, when the action has one.
    public let target: String?
    /// The fields an update changed, or how many incidents a bulk reprocess took.
    public let detail: String?

    public init(at: Timestamp, actor: AuditActor, action: String, projectID: ProjectID, target: String?, detail: String?) {
        self.at = at
        self.actor = actor
        self.action = action
        self.projectID = projectID
        self.target = target
        self.detail = detail
    }
}

extension AuditActor: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .adminToken: writer.write(UInt8(0))
        case .consoleSession(let name): writer.write(UInt8(1)); writer.write(name)
        case .apiKey(let id): writer.write(UInt8(2)); writer.write(id)
        case .commandKey: writer.write(UInt8(3))
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = .adminToken
        case 1: self = .consoleSession(try reader.readString())
        case 2: self = .apiKey(try reader.read())
        case 3: self = .commandKey
        default: throw reader.failure("unknown audit actor")
        }
    }
}

extension AuditEntry: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(at)
        writer.write(actor)
        writer.write(action)
        writer.write(projectID)
        writer.write(target)
        writer.write(detail)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            at: try reader.read(), actor: try reader.read(), action: try reader.readString(), projectID: try reader.read(),
            target: try reader.readOptionalString(), detail: try reader.readOptionalString())
    }
}
