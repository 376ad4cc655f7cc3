/// Short text, such as a provider's event id, held inline without a heap allocation when it fits.
///
/// The engine keeps about a million pending receipts in memory, each with its provider's event id:
/// a Stripe id (`evt_1NG8Du2eZvKYlo2CUI79vXWy`) has 28 characters, a Shopify webhook id (a UUID) 36.
/// A `String` keeps at most 15 UTF-8 bytes inline; a longer one costs its 16 bytes plus a heap
/// allocation of about 80 bytes. Nothing in the standard library keeps ~40-character text inline,
/// hence this type: 33 bytes (stride 40) and no allocation for such ids.
///
/// Callers may rely on:
/// - Round trip: `PackedText(s).string` has exactly the UTF-8 bytes of `s`, for every string.
/// - Byte equality: `==` and `hash(into:)` compare UTF-8 bytes, not Unicode canonical equivalence
///   as `String` does, so NFC `"é"` and NFD `"e\u{301}"` are *not* equal. Ids are opaque tokens.
/// - No heap allocation, in `init`, `equals(_:)`, `==` or `hash(into:)`, for text of at most
///   41 characters from `A–Z a–z 0–9 _ -` (every Stripe id and UUID) or of at most 31 UTF-8 bytes.
///   Longer text is kept as the `String` it came as.
public struct PackedText: Hashable, Sendable, CustomStringConvertible {
    private let storage: Storage

    public init(_ text: String) {
        var text = text  // withUTF8 is mutating; for a native string it copies nothing.
        storage = text.withUTF8(Self.inlineStorage) ?? .text(ExactString(string: text))
    }

    /// The text of `bytes`, which the caller has checked are valid UTF-8 (a snapshot's column):
    /// inline text needs no `String` on the way.
    init(validUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        storage = Self.inlineStorage(bytes) ?? .text(ExactString(string: String(decoding: bytes, as: UTF8.self)))
    }

    private static func inlineStorage(_ bytes: UnsafeBufferPointer<UInt8>) -> Storage? {
        if let words = Words(bytes, .packed, code: packedCode) { return .packed(words) }
        if let words = Words(bytes, .raw, code: { $0 }) { return .raw(words) }
        return nil
    }

    /// The text, with exactly the UTF-8 bytes it was created from.
    public var string: String {
        if case .text(let text) = storage { return text.string }
        return String(unsafeUninitializedCapacity: utf8Count) { buffer in copyInlineBytes(into: buffer) }
    }

    /// Calls `body` with the text's UTF-8 bytes; inline text is spelled out on the stack, so
    /// that writing a snapshot or hashing a key around an id allocates nothing.
    func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if case .text(let text) = storage {
            var string = text.string
            return try string.withUTF8(body)
        }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Layout.packed.capacity) { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[..<copyInlineBytes(into: buffer)]))
        }
    }

    /// Writes the bytes of inline text to the start of `buffer` and returns their count.
    private func copyInlineBytes(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        switch storage {
        case .packed(let words): words.copyBytes(.packed, into: buffer, byte: packedByte)
        case .raw(let words): words.copyBytes(.raw, into: buffer) { $0 }
        case .text: preconditionFailure("only inline text is copied")
        }
    }

    /// The length in UTF-8 bytes, without rebuilding the string.
    public var utf8Count: Int {
        switch storage {
        case .packed(let words): words.count(.packed)
        case .raw(let words): words.count(.raw)
        case .text(let text): text.string.utf8.count
        }
    }

    /// Whether `text` has the same UTF-8 bytes, as `self == PackedText(text)`, without allocating:
    /// for lookups of an incoming id against a stored one.
    public func equals(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            // Equal words mean equal bytes, so encoding `text` the way this value is stored settles it.
            switch storage {
            case .packed(let words): Words(bytes, .packed, code: packedCode) == words
            case .raw(let words): Words(bytes, .raw) { $0 } == words
            case .text(let stored): stored.equals(bytes)
            }
        }
    }

    /// Equal UTF-8 bytes; canonically equivalent but differently encoded text is not equal.
    public static func == (lhs: PackedText, rhs: PackedText) -> Bool {
        lhs.storage == rhs.storage
    }

    /// Hashes the inline words (or, for long text, its UTF-8 bytes); consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage)
    }

    public var description: String { string }
}

/// Exactly one representation per text, so that comparing representations compares bytes.
private enum Storage: Hashable, Sendable {
    /// At most 41 bytes, all from the packed alphabet.
    case packed(Words)
    /// Any other text of at most 31 UTF-8 bytes.
    case raw(Words)
    /// Everything else.
    case text(ExactString)
}

/// A `String` compared and hashed by its UTF-8 bytes; `String`'s own `==` and hash treat
/// canonically equivalent text as equal.
private struct ExactString: Hashable, Sendable {
    let string: String

    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        var rhs = rhs.string
        return rhs.withUTF8(lhs.equals)
    }

    // Through buffers: iterating `String.UTF8View` took about 3 ns a byte.
    func equals(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var string = string
        return string.withUTF8 { $0.count == bytes.count && $0.elementsEqual(bytes) }
    }

    func hash(into hasher: inout Hasher) {
        var string = string
        hasher.combine(string.utf8.count)
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// How text fills the 256 bits of `Words`: as fields of `width` bits, the length in field 0 and
/// byte `i` in field `i + 1`.
private struct Layout {
    let width: Int
    let capacity: Int

    /// 42 fields × 6 bits = 252 bits; the top 4 stay zero.
    static let packed = Layout(width: 6, capacity: 41)
    /// 32 fields × 8 bits = 256 bits: the length, then the bytes as they are.
    static let raw = Layout(width: 8, capacity: 31)
}

/// 256 bits as one little-endian number, `w0 | w1 << 64 | w2 << 128 | w3 << 192`. Field `i` of
/// a layout occupies bits `i * width ..< (i + 1) * width` of it, so a 6-bit field may straddle two
/// words. Bits past the last field stay zero, which keeps the representation canonical.
private struct Words: Hashable, Sendable {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    /// Stores `bytes` in `layout`, or fails when they do not fit or one has no code.
    init?(_ bytes: UnsafeBufferPointer<UInt8>, _ layout: Layout, code: (UInt8) -> UInt8?) {
        guard bytes.count <= layout.capacity else { return nil }
        // Fields gather in `pending` until it fills a word: placing each field by its index instead
        // took nearly twice as long, and this is the hot path of `equals(_:)`.
        var pending = UInt64(bytes.count), pendingBits = layout.width, word = 0
        for byte in bytes {
            guard let code = code(byte).map(UInt64.init) else { return nil }
            pending |= code &<< pendingBits
            pendingBits += layout.width
            if pendingBits >= 64 {
                self[word] = pending
                word += 1
                pendingBits -= 64
                pending = code &>> (layout.width - pendingBits)
            }
        }
        // 31 raw bytes fill all four words, and the last is already stored.
        if word < 4 { self[word] = pending }
    }

    func count(_ layout: Layout) -> Int {
        Int(field(0, width: layout.width))
    }

    /// Writes the text's bytes to the start of `buffer` (room for `layout.capacity`) and returns
    /// their count.
    func copyBytes(_ layout: Layout, into buffer: UnsafeMutableBufferPointer<UInt8>, byte: (UInt8) -> UInt8) -> Int {
        let count = count(layout)
        for index in 0..<count {
            buffer[index] = byte(UInt8(field(index + 1, width: layout.width)))
        }
        return count
    }

    private func field(_ index: Int, width: Int) -> UInt64 {
        let bit = index * width, word = bit / 64, shift = bit % 64
        var value = self[word] &>> shift
        if shift + width > 64 { value |= self[word + 1] &<< (64 - shift) }
        return value & ((1 &<< width) - 1)
    }

    private subscript(word: Int) -> UInt64 {
        get {
            switch word {
            case 0: w0
            case 1: w1
            case 2: w2
            default: w3
            }
        }
        set {
            switch word {
            case 0: w0 = newValue
            case 1: w1 = newValue
            case 2: w2 = newValue
            default: w3 = newValue
            }
        }
    }
}

/// The packed alphabet, each character at the index that is its 6-bit code: base64url order (RFC 4648 §5).
private let packedAlphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/// The code of each ASCII byte in `packedAlphabet`, 0xFF for the others. A table rather than a
/// switch on character classes, which ids mix at random: the mispredicted branches made `init`
/// about 1.5 times slower. A literal, because the compiler lays it out statically; a computed
/// table is initialized lazily, and that was checked again for every byte.
private let packedCodes: [UInt8] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 0x00
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 0x10
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 62, 0xFF, 0xFF,    // 0x20 -
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,                      // 0x30 0-9
    0xFF, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,                                            // 0x40 A-O
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 0xFF, 0xFF, 0xFF, 0xFF, 63,                            // 0x50 P-Z _
    0xFF, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,                                  // 0x60 a-o
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,                          // 0x70 p-z
]

/// The 6-bit code of `byte`, or nil if it is not in the packed alphabet.
private func packedCode(_ byte: UInt8) -> UInt8? {
    let code = byte < 0x80 ? packedCodes[Int(byte)] : 0xFF
    return code == 0xFF ? nil : code
}

private func packedByte(_ code: UInt8) -> UInt8 {
    packedAlphabet.utf8Start[Int(code)]
}
