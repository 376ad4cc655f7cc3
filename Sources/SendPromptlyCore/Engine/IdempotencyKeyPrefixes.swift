/// How a project spells its receipts' `Idempotency-Key`s around the provider's event id: the
/// prefixes before it (`""` for a key that is the event id, `"receipt-"` for
/// `receipt-evt_1N…`), learnt in the order receipts bring them, at most ``capacity``.
///
/// Integrations commonly make the key out of the webhook's own event id. Such a key's digest
/// can be computed again from the event its record answers, so a snapshot stores the prefix's
/// index (``IdempotencyRecord/keyPrefix``; one byte, which zlib shrinks to nothing) instead of
/// the digest's 16 random bytes. Keys spelled any other way are stored as their digest, as
/// before. The table never shrinks; ``capacity`` bounds it against a client that makes up a
/// new prefix with every request.
///
/// A value owned by its ``ProjectState``, changed only by receipts (journaled), so replaying
/// the journal learns the same prefixes in the same order.
struct IdempotencyKeyPrefixes: Equatable {
    static let capacity = 16
    /// Longer prefixes are not worth an entry: a key that long is rarely made this way.
    static let longestPrefix = 64

    private(set) var prefixes: [String] = []

    init(_ prefixes: [String] = []) {
        self.prefixes = prefixes
    }

    /// The index of the prefix that makes `key` out of `providerEventID`, learning it when it
    /// is new and there is room; nil when the key is not spelled that way.
    mutating func index(spelling key: String, around providerEventID: String) -> UInt8? {
        let keyBytes = key.utf8
        let idBytes = providerEventID.utf8
        let prefixLength = keyBytes.count - idBytes.count
        guard !idBytes.isEmpty, (0...Self.longestPrefix).contains(prefixLength), keyBytes.suffix(idBytes.count).elementsEqual(idBytes) else {
            return nil
        }
        let prefix = keyBytes.prefix(prefixLength)
        if let index = prefixes.firstIndex(where: { $0.utf8.elementsEqual(prefix) }) { return UInt8(index) }
        guard prefixes.count < Self.capacity else { return nil }
        prefixes.append(String(decoding: prefix, as: UTF8.self))
        return UInt8(prefixes.count - 1)
    }

    /// The digest of the key spelled with prefix `index` around `providerEventID`.
    func digest(prefix index: UInt8, providerEventID: PackedText) -> IdempotencyKeyDigest {
        IdempotencyKeyDigest(of: prefixes[Int(index)], providerEventID)
    }
}
