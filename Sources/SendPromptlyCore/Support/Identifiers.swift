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
public struct Identifier<Kind: IdentifierKind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts any string of the kind's prefix: a caller's id that the engine never issued is
    /// simply not found.
    public init?(_ rawValue: String) {
        guard rawValue.hasPrefix(Kind.prefix), rawValue.utf8.count <= 64 else { return nil }
        self.rawValue = rawValue
    }

    init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
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
        return Identifier(unchecked: Kind.prefix + Crockford.ulid(
            millisecond: UInt64(max(0, millisecond)), high: lastRandomHigh, low: lastRandomLow))
    }

}

enum Crockford {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// 26 characters: 48 bits of milliseconds then 80 random bits, 5 bits a character.
    static func ulid(millisecond: UInt64, high: UInt16, low: UInt64) -> String {
        var characters = [UInt8](repeating: 0, count: 26)
        // 130 bits of output for 128 bits of input: the top character carries 3 bits.
        let timeBits = millisecond & 0xFFFF_FFFF_FFFF
        for index in 0..<10 {
            characters[9 - index] = alphabet[Int((timeBits >> (5 * UInt64(index))) & 31)]
        }
        // 80 random bits: 16 from `high`, 64 from `low`, written as 16 characters.
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
        return String(decoding: characters, as: UTF8.self)
    }
}
