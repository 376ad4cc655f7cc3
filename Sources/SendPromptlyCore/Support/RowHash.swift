/// Seeded 64-bit hashes of the engine's 128-bit keys (event ids, idempotency key digests) for
/// the ``RowIndex``es that find them.
///
/// Not the key's raw bits: a ``RowIndex`` buckets by the hash's low bits, and a client that
/// chooses its `Idempotency-Key`s can grind SHA-256 until many digests share those bits, piling
/// them into one cluster that every lookup then walks. Here both words pass through murmur3's
/// 64-bit finaliser (each input bit flips each output bit with probability about one half)
/// after the first is XORed with a seed drawn once per process from the system's random source,
/// so where a key lands depends on a number the client never sees. This is not a keyed
/// pseudo-random function like SipHash: it suits keys whose bits a client can steer only by
/// grinding a cryptographic hash (key digests) or not at all (ULIDs the shard issues), at a
/// fraction of SipHash's cost. Strings a client chooses freely (provider event ids) are hashed
/// with the standard library's `Hasher` (SipHash) instead.
///
/// Hashes differ from process to process; nothing may store them or depend on their order.
enum RowHash {
    private static let seed = UInt64.random(in: .min ... .max)

    static func of(_ high: UInt64, _ low: UInt64) -> UInt64 {
        mix(mix(high ^ seed) ^ low)
    }

    /// murmur3's `fmix64`: a bijection of 64 bits with full avalanche.
    private static func mix(_ word: UInt64) -> UInt64 {
        var word = word
        word ^= word >> 33
        word &*= 0xFF51_AFD7_ED55_8CCD
        word ^= word >> 33
        word &*= 0xC4CE_B9FE_1A85_EC53
        word ^= word >> 33
        return word
    }
}

extension Identifier {
    /// This identifier's ``RowHash``.
    var rowHash: UInt64 { RowHash.of(high, low) }
}

extension IdempotencyKeyDigest {
    /// This digest's ``RowHash``.
    var rowHash: UInt64 { RowHash.of(high, low) }
}
