/// What a stretch of encoded bytes holds, so that the snapshot file can compress each stretch
/// the way that pays for it. zlib spends the same effort searching for repeats in random bytes
/// as in structured ones and finds none: a million idempotency key digests cost it over half a
/// second to shrink by nothing. The encoder knows which columns are which; the file format
/// (`SnapshotFormat` in SendPromptlyStorage) decides what each kind gets.
public enum ByteContent: UInt8, Sendable {
    /// Varints, indices, differences: mostly repeats, which LZ77 matching shrinks best.
    case structured
    /// Client-chosen text such as provider event ids: random characters from a small alphabet,
    /// which entropy coding alone shrinks nearly as well, at a third of the cost.
    case text
    /// Digests and fingerprints: nothing to shrink.
    case random
}

/// A stretch of a ``BinaryWriter``'s bytes and what it holds.
public struct ContentStretch: Equatable, Sendable {
    public let range: Range<Int>
    public let content: ByteContent

    public init(range: Range<Int>, content: ByteContent) {
        self.range = range
        self.content = content
    }
}
