/// The kinds of opaque identifier of the wire contract, each with its type prefix.
public protocol IdentifierKind {
    static var prefix: String { get }
}

public enum ProjectKind: IdentifierKind { public static let prefix = "prj_" }
public enum EventKind: IdentifierKind { public static let prefix = "ev_" }
public enum IncidentKind: IdentifierKind { public static let prefix = "inc_" }
public enum ReplayKind: IdentifierKind { public static let prefix = "rpl_" }
public enum KeyKind: IdentifierKind { public static let prefix = "key_" }

/// An identifier such as `ev_01JDX8Q2M3...`: a type prefix and a ULID. ULIDs put the creation
/// millisecond first, in Crockford base32, so identifiers of one kind sort by creation time
/// as plain strings.
///
/// Held as the ULID's 128 bits in two words, not as its text: the engine keys millions of
/// events, timers and idempotency answers by identifiers, and two words hash, compare and copy
/// without a heap object or a string comparison. The text is spelled only at the edges (JSON,
/// HTML, the journal).
public struct Identifier<Kind: IdentifierKind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 48 bits of milliseconds, then the top 16 random bits.
    let high: UInt64
    /// The low 64 random bits.
    let low: UInt64

    /// Parses the kind's prefix followed by a canonical ULID (26 characters of upper-case
    /// Crockford base32, as the engine spells every identifier it issues). Any other string is
    /// nil: an identifier the engine could not have issued names nothing, so a caller answers
    /// it as not found.
    public init?(_ rawValue: String) {
        var text = rawValue
        let prefixLength = Kind.prefix.utf8.count
        let ulid: ULID? = text.withUTF8 { utf8 in
            guard utf8.count == prefixLength + 26, utf8.starts(with: Kind.prefix.utf8) else { return nil }
            return Crockford.parse(UnsafeBufferPointer(rebasing: utf8[prefixLength...]))
        }
        guard let ulid else { return nil }
        self.init(ulid: ulid)
    }

    /// The identifier whose two words are `high` and `low` (a timer's payload carries them).
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The identifier the generator issues for `ulid`.
    init(ulid: ULID) {
        self.high = ulid.millisecond << 16 | UInt64(ulid.high)
        self.low = ulid.low
    }

    /// The ULID this identifier spells: `Identifier(ulid: id.ulid) == id`.
    var ulid: ULID {
        ULID(millisecond: high >> 16, high: UInt16(truncatingIfNeeded: high), low: low)
    }

    /// The text: the kind's prefix and the ULID in Crockford base32, spelled straight into the
    /// string's storage (one allocation).
    public var rawValue: String {
        String(unsafeUninitializedCapacity: Self.spellingLength) { spell(into: $0) }
    }

    /// The bytes of ``rawValue``, spelled on the stack for `body` (which must not keep the
    /// pointer): for a caller that only reads the text, such as a hash of it, no string.
    public func withSpelling<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.spellingLength) { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[..<spell(into: buffer)]))
        }
    }

    private static var spellingLength: Int { Kind.prefix.utf8.count + 26 }

    /// Writes the text into `buffer` (at least ``spellingLength`` bytes); returns its length.
    private func spell(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let prefix = Kind.prefix.utf8
        _ = buffer.initialize(from: prefix)
        Crockford.spell(ulid, into: UnsafeMutableBufferPointer(rebasing: buffer[prefix.count..<prefix.count + 26]))
        return prefix.count + 26
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
}

public typealias ProjectID = Identifier<ProjectKind>
public typealias EventID = Identifier<EventKind>
public typealias IncidentID = Identifier<IncidentKind>
public typealias ReplayID = Identifier<ReplayKind>
public typealias KeyID = Identifier<KeyKind>

/// Issues ULID-style identifiers that strictly increase for one generator, even within one
/// millisecond (the random part is incremented, as the ULID spec's monotonic mode does).
///
/// Deterministic on purpose: its whole state is four words that a snapshot stores, so
/// replaying a shard's journal issues the same ids again. Identifiers are not secrets (keys and
/// signing secrets come from ``SecretFormat``, which uses the system's random source).
public struct IdentifierGenerator: Equatable, Sendable {
    /// The random part's source.
    public private(set) var random: SplitMix64
    public private(set) var lastMillisecond: Int64 = -1
    public private(set) var lastRandomHigh: UInt16 = 0
    public private(set) var lastRandomLow: UInt64 = 0

    /// A generator with a fresh random seed.
    public init() {
        self.init(seed: UInt64.random(in: .min ... .max))
    }

    public init(seed: UInt64) {
        self.random = SplitMix64(seed: seed)
    }

    /// Restores a generator from the state a snapshot stored.
    public init(randomState: UInt64, lastMillisecond: Int64, lastRandomHigh: UInt16, lastRandomLow: UInt64) {
        self.random = SplitMix64(seed: randomState)
        self.lastMillisecond = lastMillisecond
        self.lastRandomHigh = lastRandomHigh
        self.lastRandomLow = lastRandomLow
    }

    public mutating func next<Kind>(_ kind: Kind.Type = Kind.self, at time: Timestamp) -> Identifier<Kind> {
        let millisecond = max(time.millisecondsSinceEpoch, lastMillisecond)
        if millisecond == lastMillisecond {
            let (low, overflow) = lastRandomLow.addingReportingOverflow(1)
            lastRandomLow = low
            if overflow { lastRandomHigh &+= 1 }
        } else {
            lastMillisecond = millisecond
            lastRandomHigh = UInt16(truncatingIfNeeded: random.next())
            lastRandomLow = random.next()
        }
        return Identifier(ulid: ULID(millisecond: UInt64(max(0, millisecond)), high: lastRandomHigh, low: lastRandomLow))
    }

}

/// The 128 bits of a ULID as the generator holds them: 48 bits of milliseconds, then 80 random
/// bits (16 in `high`, 64 in `low`). Identifiers of one generator increase in this order.
struct ULID: Equatable {
    var millisecond: UInt64
    var high: UInt16
    var low: UInt64
}

enum Crockford {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    /// Each ASCII byte's value in ``alphabet``, 0xFF for bytes outside it (lowercase too:
    /// only the canonical spelling parses, so that parsing and spelling again is the identity).
    static let values: [UInt8] = (0..<256).map { byte in
        alphabet.firstIndex(of: UInt8(byte)).map(UInt8.init) ?? 0xFF
    }

    /// The ULID that ``spell(_:into:)`` spells as `characters` (26 bytes), or nil
    /// when they are not such a spelling.
    static func parse(_ characters: UnsafeBufferPointer<UInt8>) -> ULID? {
        var time: UInt64 = 0
        var random: (high: UInt64, low: UInt64) = (0, 0)
        let values = Crockford.values
        for (index, byte) in characters.enumerated() {
            let value = values[Int(byte)]
            guard value != 0xFF else { return nil }
            if index < 10 {
                time = time << 5 | UInt64(value)
            } else {
                // 80 bits over two words: shift `low`'s top 5 bits into `high`.
                random.high = random.high << 5 | random.low >> 59
                random.low = random.low << 5 | UInt64(value)
            }
        }
        // The top character carries 3 bits: a larger one spells more than 48 bits of time.
        guard time <= 0xFFFF_FFFF_FFFF else { return nil }
        return ULID(millisecond: time, high: UInt16(random.high), low: random.low)
    }

    /// Writes the 26 characters of `ulid` into `characters`: 48 bits of milliseconds then 80
    /// random bits, 5 bits a character.
    static func spell(_ ulid: ULID, into characters: UnsafeMutableBufferPointer<UInt8>) {
        // 130 bits of output for 128 bits of input: the top character carries 3 bits.
        let timeBits = ulid.millisecond & 0xFFFF_FFFF_FFFF
        for index in 0..<10 {
            characters[9 - index] = alphabet[Int((timeBits >> (5 * UInt64(index))) & 31)]
        }
        // 80 random bits: 16 from `high`, 64 from `low`, written as 16 characters.
        let (high, low) = (ulid.high, ulid.low)
        for index in 0..<16 {
            let shift = 5 * index
            let value: UInt64
            if shift + 5 <= 64 {
                value = (low >> UInt64(shift)) & 31
            } else if shift < 64 {
                value = ((low >> UInt64(shift)) | (UInt64(high) << UInt64(64 - shift))) & 31
            } else {
                value = (UInt64(high) >> UInt64(shift - 64)) & 31
            }
            characters[25 - index] = alphabet[Int(value)]
        }
    }
}
