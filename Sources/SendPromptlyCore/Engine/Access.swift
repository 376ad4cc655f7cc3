/// Who is asking, as the shard checks it on every call.
public enum Access: Sendable, Equatable {
    /// The operator, with the admin token: every project, every action.
    case administrator
    /// A project's API key, as its hash. The shard finds the key, compares the hash in
    /// constant time and checks revocation and scope; a key of another project is unknown here.
    case apiKey(project: ProjectID, hash: SecretHash)

    public var project: ProjectID? {
        if case .apiKey(let project, _) = self { return project }
        return nil
    }
}

/// The `Idempotency-Key` of an ingest request and the fingerprint of what it asked for
/// (route and body), so that a reused key with a different request is told apart.
public struct IdempotencyToken: Sendable, Equatable {
    public let key: String
    /// The first 64 bits of the fingerprint given, the rest zero. The fingerprint only tells
    /// apart two requests of one merchant under one key (a different body is
    /// `idempotency_key_reused`) and guards no secret: two different bodies agree in 64 bits
    /// once in 2⁶⁴, while every snapshot stores 8 random bytes per record instead of 32.
    /// Tokens journaled with a longer fingerprint compare equal after replay, because they
    /// come through here too.
    public let fingerprint: SecretHash
    /// What the shard stores of the key (``IdempotencyKeyDigest``).
    public let keyDigest: IdempotencyKeyDigest

    public init(key: String, fingerprint: SecretHash) {
        self.key = key
        self.keyDigest = IdempotencyKeyDigest(of: key)
        self.fingerprint = SecretHash(words: (fingerprint.words.0, 0, 0, 0))
    }

    /// How long a key's first answer is kept and replayed.
    public static let retentionSeconds: Int64 = 24 * 3600

    /// 1 to 255 visible ASCII characters.
    public static func isValidKey(_ key: Substring) -> Bool {
        let bytes = key.utf8
        return (1...255).contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

/// An answer to an ingest request, and whether it is the stored first answer to the same
/// `Idempotency-Key` (`Idempotent-Replayed: true` on the wire).
public struct IngestReply<Answer: Sendable & Equatable>: Sendable, Equatable {
    public let answer: Answer
    public let replayed: Bool
}

/// `202` to a receipt.
public struct ReceiptAccepted: Sendable, Equatable {
    public let eventID: EventID
    public let timeoutAt: Timestamp
    /// True when the receipt repeats an earlier `(provider, provider_event_id)`.
    public let duplicate: Bool
}

/// `200` to a result.
public struct ResultApplied: Sendable, Equatable {
    public let eventID: EventID
    /// True when the event's effect is known to have run (`"succeeded"` on the wire).
    public let succeeded: Bool
    public let incidentID: IncidentID?
    public let incidentStatus: IncidentStatus?
}
