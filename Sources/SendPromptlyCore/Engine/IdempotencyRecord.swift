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

/// The first answer to an `Idempotency-Key`, kept until `expiresAt` (the idempotency window
/// after it was given). A value in its project's ``IdempotencyTable``, which expires records
/// oldest first; no timer of its own.
struct IdempotencyRecord {
    enum Answer {
        case receipt(ReceiptAccepted)
        /// Boxed: a result's answer is 42 bytes, a receipt's 25, and every pending receipt has a
        /// record, so an inline result case would cost each of them 16 bytes more.
        indirect case result(ResultApplied)
    }

    let keyDigest: IdempotencyKeyDigest
    /// The 64 bits of the request's fingerprint that a token keeps (``IdempotencyToken``).
    private let fingerprintWord: UInt64
    /// Milliseconds since the epoch.
    let expiresAt: Int64
    let answer: Answer
    /// For a receipt's record, the index of the prefix that spells its key around the
    /// answered event's provider event id (``IdempotencyKeyPrefixes``); nil for any other key.
    let keyPrefix: UInt8?

    init(keyDigest: IdempotencyKeyDigest, fingerprint: SecretHash, answer: Answer, expiresAt: Int64, keyPrefix: UInt8? = nil) {
        self.keyDigest = keyDigest
        self.keyPrefix = keyPrefix
        self.fingerprintWord = fingerprint.words.0
        self.answer = answer
        self.expiresAt = expiresAt
    }

    var fingerprint: SecretHash {
        SecretHash(words: (fingerprintWord, 0, 0, 0))
    }
}
