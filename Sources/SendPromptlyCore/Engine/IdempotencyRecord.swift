import Crypto

/// The first 128 bits of an `Idempotency-Key`'s SHA-256: what a shard stores and looks a key
/// up by. A key is up to 255 characters; its digest is two words that hash and compare without
/// a heap string, and 128 bits make a collision among a project's keys of one day
/// (at most a few million) far less likely than a disk's undetected bit error.
public struct IdempotencyKeyDigest: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(of key: String) {
        let words = SecretHash(digest: SHA256.hash(utf8Of: key)).words
        self.init(high: words.0, low: words.1)
    }

    /// The digest of the key `prefix + suffix`, without putting the key together.
    init(of prefix: String, _ suffix: PackedText) {
        var hasher = SHA256()
        var prefix = prefix
        prefix.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        suffix.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let words = SecretHash(digest: hasher.finalize()).words
        self.init(high: words.0, low: words.1)
    }
}

/// The first answer to an `Idempotency-Key`, kept until ``expiresAt`` (the idempotency window
/// after it was given, rounded up to the second). A value in its project's
/// ``IdempotencyTable``, which expires records oldest first; no timer of its own.
///
/// A receipt's answer is its event's id and deadline, both fixed for the event's life, so the
/// record of a receipt that made its event names the event and the deadline is read from it
/// when the key comes again: 48 bytes a record, where keeping the whole answer took 64. Such a
/// record lasts only as long as its event; retention keeps an event at least the window after
/// its receipt (``ShardState/leavesAt(_:in:)``), so only a window shortened between two runs can
/// take an answer away early, and then the key counts as new. A redelivery's answer names an
/// older event that may leave within the redelivery's window: it is kept whole.
struct IdempotencyRecord {
    enum Answer {
        /// The event this receipt created.
        case receipt(EventID)
        /// The answer to a redelivered `(provider, provider_event_id)`: the earlier event. Boxed,
        /// like a result's: redeliveries are few.
        indirect case duplicateReceipt(ReceiptAccepted)
        /// Boxed: a result's answer is 42 bytes, a receipt's 16, and every pending receipt has a
        /// record, so an inline result case would cost each of them 32 bytes more.
        indirect case result(ResultApplied)
    }

    let keyDigest: IdempotencyKeyDigest
    /// The 64 bits of the request's fingerprint that a token keeps (``IdempotencyToken``).
    private let fingerprintWord: UInt64
    let answer: Answer
    /// For a receipt's record, the index of the prefix that spells its key around the
    /// answered event's provider event id (``IdempotencyKeyPrefixes``); nil for any other key.
    let keyPrefix: UInt8?
    /// Seconds since the epoch: 4 bytes (until 2106) where milliseconds took 8, which keeps the
    /// record at 48 bytes.
    private let expirySeconds: UInt32

    /// A record expiring at `expiresAt` milliseconds since the epoch, rounded up to the second
    /// (``expiry(answeredAt:windowSeconds:)``) and held between 1970 and 2106.
    init(keyDigest: IdempotencyKeyDigest, fingerprint: SecretHash, answer: Answer, expiresAt: Int64, keyPrefix: UInt8? = nil) {
        self.keyDigest = keyDigest
        self.keyPrefix = keyPrefix
        self.fingerprintWord = fingerprint.words.0
        self.answer = answer
        self.expirySeconds = UInt32(clamping: expiresAt / 1000 + (expiresAt % 1000 > 0 ? 1 : 0))
    }

    /// Milliseconds since the epoch, a whole second.
    var expiresAt: Int64 { Int64(expirySeconds) * 1000 }

    var fingerprint: SecretHash {
        SecretHash(words: (fingerprintWord, 0, 0, 0))
    }

    /// When a record of an answer given at `answeredAt` expires (milliseconds since the epoch,
    /// a whole second): what ``expiresAt`` will be.
    static func expiry(answeredAt: Timestamp, windowSeconds: Int64) -> Int64 {
        let end = answeredAt.millisecondsSinceEpoch + windowSeconds * 1000
        return (end + 999) / 1000 * 1000
    }
}
