/// What an operator configures on a project (section 6 of the wire contract).
public struct ProjectSettings: Sendable, Equatable {
    public var name: String
    public var mode: ProjectMode
    public var repairURL: String?
    public var alertEmails: [String]
    public var slackWebhookURL: String?
    public var defaultTimeoutMinutes: Int

    public init(
        name: String, mode: ProjectMode = .live, repairURL: String? = nil, alertEmails: [String] = [],
        slackWebhookURL: String? = nil, defaultTimeoutMinutes: Int = 30
    ) {
        self.name = name
        self.mode = mode
        self.repairURL = repairURL
        self.alertEmails = alertEmails
        self.slackWebhookURL = slackWebhookURL
        self.defaultTimeoutMinutes = defaultTimeoutMinutes
    }
}

/// An API key as stored: never the key itself, only its hash.
public struct APIKeyRecord: Sendable, Equatable {
    public let id: KeyID
    public let label: String
    public let scope: KeyScope
    public let hash: SecretHash
    public let createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public var isActive: Bool { revokedAt == nil }
}

/// The secret that signs repair callbacks. After a rotation the previous one keeps signing
/// alongside until `previousExpiresAt`, so receivers can switch without a gap.
public struct SigningSecrets: Sendable, Equatable {
    public var current: String
    public var previous: String?
    public var previousExpiresAt: Timestamp?

    /// How long a rotated-out secret keeps signing.
    public static let gracePeriodSeconds: Int64 = 24 * 3600

    /// The secrets that sign at `now`, newest first.
    public func active(at now: Timestamp) -> [String] {
        if let previous, let previousExpiresAt, now < previousExpiresAt {
            return [current, previous]
        }
        return [current]
    }
}

/// A project as the read API shows it.
public struct ProjectSummary: Sendable, Equatable {
    public let id: ProjectID
    public let settings: ProjectSettings
    public let createdAt: Timestamp
    public let signingSecret: String
    public let openIncidents: Int
    public let pendingReceipts: Int
}

/// The answer to a project's creation, with the secrets shown this once.
public struct ProjectCreated: Sendable {
    public let project: ProjectSummary
    public let apiKey: String
    public let key: APIKeyRecord

    public init(project: ProjectSummary, apiKey: String, key: APIKeyRecord) {
        self.project = project
        self.apiKey = apiKey
        self.key = key
    }
}

/// The answer to a key's creation; `apiKey` is shown this once.
public struct KeyCreated: Sendable {
    public let apiKey: String
    public let key: APIKeyRecord

    public init(apiKey: String, key: APIKeyRecord) {
        self.apiKey = apiKey
        self.key = key
    }
}
