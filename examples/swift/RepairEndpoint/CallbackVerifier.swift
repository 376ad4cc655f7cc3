// Verifies that a repair callback really comes from SendPromptly (swift-crypto, no other packages).
//
// SendPromptly signs every callback with your project's signing secret (sps_...):
//
//   X-SendPromptly-Timestamp: 1764397800                  unix seconds
//   X-SendPromptly-Nonce:     9f2c4a...                   32 lowercase hex chars, new for every attempt
//   X-SendPromptly-Signature: v1=<64 lowercase hex>       during a secret rotation: "v1=<new> v1=<old>"
//
//   signature = hex(HMAC-SHA256(key = signing secret, message = timestamp + "." + nonce + "." + raw body))
//
// A callback is genuine when its timestamp is within 5 minutes of our clock, its nonce was not
// seen before, and ANY of the v1= signatures matches. Always verify the raw bytes you received:
// re-encoding decoded JSON changes them.

import Crypto

/// Why a callback was refused; `reason` never holds the secret.
struct CallbackRejection: Error {
    let reason: String
}

/// Remembers the nonces of accepted callbacks for as long as their timestamp would still be
/// accepted, so that a captured callback cannot be sent again. In memory: fine for one process;
/// with several instances use a shared store (a table with a unique key, or Redis SET NX).
actor NonceStore {
    private var expiries: [String: Int64] = [:]

    /// Records `nonce`; false when it was already recorded.
    func remember(_ nonce: String, timestamp: Int64, now: Int64) -> Bool {
        expiries = expiries.filter { $0.value >= now }
        guard expiries[nonce] == nil else { return false }
        expiries[nonce] = timestamp + CallbackVerifier.toleranceSeconds
        return true
    }
}

struct CallbackVerifier: Sendable {
    /// How far a timestamp may be from our clock, either way, in seconds.
    static let toleranceSeconds: Int64 = 300

    /// The signing secret's UTF-8 bytes: the HMAC key.
    let secret: [UInt8]
    let nonces = NonceStore()

    init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    /// Returns when the callback is genuine; throws `CallbackRejection` otherwise.
    func verify(timestamp timestampHeader: String?, nonce: String?, signature signatureHeader: String?, body: [UInt8], now: Int64) async throws(CallbackRejection) {
        guard let timestampHeader, !timestampHeader.isEmpty else { throw CallbackRejection(reason: "missing X-SendPromptly-Timestamp header") }
        guard let nonce, !nonce.isEmpty else { throw CallbackRejection(reason: "missing X-SendPromptly-Nonce header") }
        guard let signatureHeader, !signatureHeader.isEmpty else { throw CallbackRejection(reason: "missing X-SendPromptly-Signature header") }

        guard timestampHeader.utf8.count <= 12, timestampHeader.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let timestamp = Int64(timestampHeader)
        else { throw CallbackRejection(reason: "malformed timestamp") }
        guard abs(now - timestamp) <= Self.toleranceSeconds else {
            throw CallbackRejection(reason: "timestamp outside the 300 s tolerance")
        }
        guard nonce.utf8.count == 32, nonce.utf8.allSatisfy(Self.isLowercaseHex) else {
            throw CallbackRejection(reason: "malformed nonce")
        }

        let message = Array("\(timestampHeader).\(nonce).".utf8) + body
        let expected = Self.hex(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        // Several signatures during a secret rotation: accept when any one matches, each
        // compared in constant time.
        var matched = false
        for part in signatureHeader.split(separator: " ") where part.hasPrefix("v1=") {
            if Self.constantTimeEquals(Array(part.dropFirst(3).utf8), expected) { matched = true }
        }
        guard matched else { throw CallbackRejection(reason: "no matching v1 signature") }

        // Only a genuine callback uses up its nonce.
        guard await nonces.remember(nonce, timestamp: timestamp, now: now) else {
            throw CallbackRejection(reason: "nonce already used (replayed callback)")
        }
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// Lowercase hex digits of `bytes`, as UTF-8.
    private static func hex(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }
    }

    /// True when `a` and `b` are equal; the time taken depends only on their lengths, not on
    /// where they differ.
    private static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
