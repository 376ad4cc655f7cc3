import Crypto
import SendPromptlyCore

/// One signed repair callback, as section 5 of the wire contract defines it: the JSON body and
/// the three `X-SendPromptly-*` headers. A new value is made for every attempt: the timestamp
/// and the nonce are fresh, the `replay_id` is the replay's.
public struct RepairCallback: Sendable {
    public let body: [UInt8]
    public let timestamp: Int64
    /// 32 lowercase hex characters from the system's random source.
    public let nonce: String
    /// `v1=<hex>` per signing secret, newest first, space-separated.
    public let signature: String

    public init(delivery: ReplayDelivery, timestamp: Int64, nonce: String = RepairCallback.makeNonce()) {
        self.body = Array(Self.body(of: delivery).serialized.utf8)
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = Self.signatureHeader(secrets: delivery.signingSecrets, timestamp: timestamp, nonce: nonce, body: body)
    }

    public var headers: [(name: String, value: String)] {
        [
            ("Content-Type", "application/json"),
            ("User-Agent", "SendPromptly-Repair/1"),
            ("X-SendPromptly-Timestamp", String(timestamp)),
            ("X-SendPromptly-Nonce", nonce),
            ("X-SendPromptly-Signature", signature),
        ]
    }

    /// `HMAC-SHA256(secret, timestamp + "." + nonce + "." + body)` for each secret, as the
    /// header carries them.
    public static func signatureHeader(secrets: [String], timestamp: Int64, nonce: String, body: [UInt8]) -> String {
        var message = Array("\(timestamp).\(nonce).".utf8)
        message += body
        return secrets.map { secret in
            let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
            return "v1=" + hex(code)
        }.joined(separator: " ")
    }

    public static func makeNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func body(of delivery: ReplayDelivery) -> JSON {
        let incident = delivery.view.incident
        let event = delivery.view.event
        let receipt = event.receipt
        let lastError: JSON = incident.lastError.map { error in
            .object([("code", .optional(error.code)), ("message", .optional(error.message))])
        } ?? .null
        return .object([
            ("type", "reprocess.requested"),
            ("replay_id", .string(delivery.replay.id.rawValue)),
            ("attempt", .integer(Int64(delivery.attemptNumber))),
            ("incident_id", .string(incident.id.rawValue)),
            ("event_id", .string(event.id.rawValue)),
            ("project_id", .string(incident.projectID.rawValue)),
            ("mode", .string(delivery.mode.rawValue)),
            ("provider", .string(receipt.provider.rawValue)),
            ("provider_event_id", .string(receipt.providerEventID)),
            ("event_type", .string(receipt.eventType)),
            ("effect_type", .string(receipt.effectType.rawValue)),
            ("internal_reference", .optional(receipt.internalReference)),
            ("occurred_at", .optional(receipt.occurredAt.map(RFC3339.format))),
            ("incident_reason", .string(incident.reason.rawValue)),
            ("last_error", lastError),
            ("requested_at", .string(RFC3339.format(delivery.replay.requestedAt))),
        ])
    }
}
