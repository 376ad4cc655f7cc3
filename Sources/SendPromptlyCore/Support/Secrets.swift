import Crypto

/// A SHA-256 digest kept as four words: cheap to hash as a dictionary key, and compared in
/// constant time.
///
/// API keys and the admin token carry at least 238 bits of entropy, so a plain SHA-256 (not a
/// slow password hash) is the right way to store them: nobody can guess a preimage, and the
/// ingest path pays one hash per request.
public struct SecretHash: Hashable, Sendable {
    public let words: (UInt64, UInt64, UInt64, UInt64)

    public init(of secret: String) {
        self.init(digest: SHA256.hash(utf8Of: secret))
    }

    /// The digest's bytes as four big-endian words, read in place (every ingest request hashes
    /// its body, so this runs once a request).
    public init(digest: SHA256.Digest) {
        self.words = digest.withUnsafeBytes { bytes in
            (bytes.bigEndianWord(at: 0), bytes.bigEndianWord(at: 8), bytes.bigEndianWord(at: 16), bytes.bigEndianWord(at: 24))
        }
    }

    public init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// Lowercase hex of the digest, for storing on disk.
    public var hex: String {
        [words.0, words.1, words.2, words.3].map { word in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    public init?(hex: String) {
        guard hex.utf8.count == 64 else { return nil }
        var words: [UInt64] = []
        var index = hex.startIndex
        for _ in 0..<4 {
            let end = hex.index(index, offsetBy: 16)
            guard let word = UInt64(hex[index..<end], radix: 16) else { return nil }
            words.append(word)
            index = end
        }
        self.words = (words[0], words[1], words[2], words[3])
    }

    /// Constant-time equality: the time taken does not depend on where the digests differ.
    public func constantTimeEquals(_ other: SecretHash) -> Bool {
        let difference = (words.0 ^ other.words.0) | (words.1 ^ other.words.1)
            | (words.2 ^ other.words.2) | (words.3 ^ other.words.3)
        return difference == 0
    }

    public static func == (lhs: SecretHash, rhs: SecretHash) -> Bool {
        lhs.constantTimeEquals(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
    }
}

/// The secrets the server hands out, drawn from the system's cryptographic random source.
public enum SecretFormat {
    static let alphanumeric = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `sk_` and 40 characters of `[A-Za-z0-9]` (about 238 bits).
    public static func apiKey() -> String {
        "sk_" + randomString(40, from: alphanumeric)
    }

    /// `sps_` and 43 base64url characters (258 bits).
    public static func signingSecret() -> String {
        "sps_" + randomString(43, from: base64URL)
    }

    /// `spa_` and 43 base64url characters.
    public static func adminToken() -> String {
        "spa_" + randomString(43, from: base64URL)
    }

    /// `count` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
    static func randomString(_ count: Int, from alphabet: [UInt8]) -> String {
        var random = SystemRandomNumberGenerator()
        let limit = 256 - 256 % alphabet.count
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            let byte = Int(UInt8.random(in: .min ... .max, using: &random))
            if byte < limit { result.append(alphabet[byte % alphabet.count]) }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether `text` has the shape of an API key. Checked before hashing, so that a malformed
    /// credential is refused without touching any project.
    public static func isWellFormedAPIKey(_ text: Substring) -> Bool {
        let bytes = text.utf8
        guard bytes.count == 43, text.hasPrefix("sk_") else { return false }
        return bytes.dropFirst(3).allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
        }
    }
}

extension SHA256 {
    /// The digest of `text`'s UTF-8 bytes, read in place: a native string is hashed without
    /// copying it into an array first (the ingest path hashes an API key and an
    /// `Idempotency-Key` per request).
    static func hash(utf8Of text: String) -> SHA256.Digest {
        var text = text
        return text.withUTF8 { hash(data: UnsafeRawBufferPointer($0)) }
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian 64-bit word at byte `offset` (no alignment needed).
    func bigEndianWord(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
