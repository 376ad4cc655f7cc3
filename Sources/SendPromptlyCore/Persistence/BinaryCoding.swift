/// The byte-level encoding of the journal and snapshot formats: LEB128 varints (zigzag for
/// signed values), length-prefixed UTF-8 strings, a presence byte before optionals.
///
/// Hand-written rather than `Codable` because the formats are ours to keep stable across
/// versions (field order is the format, documented by the `encode` functions), because they
/// must be compact (a snapshot of 10⁶ receipts is tens of megabytes before zlib), and because a
/// decoder of untrusted bytes must fail with a reason, never trap or over-allocate.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// What this writer's bytes hold, for the writer a section of it goes to.
    public let content: ByteContent
    /// The stretches of `bytes` written as sections whose content is not ``ByteContent/structured``,
    /// in order and not overlapping; every other byte is structured.
    public private(set) var stretches: [ContentStretch] = []

    public init(capacity: Int = 256, content: ByteContent = .structured) {
        bytes.reserveCapacity(capacity)
        self.content = content
    }

    /// Empties the writer and keeps its capacity, to write again without allocating.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        stretches.removeAll(keepingCapacity: true)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(varint value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    public mutating func write(_ value: Int64) {
        write(varint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func write(_ value: Int) { write(Int64(value)) }

    public mutating func write(fixed value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    public mutating func write(fixed value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    public mutating func write(_ value: String) {
        let utf8 = value.utf8
        write(varint: UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Written as the ``write(_:)-String`` of its string: the column format does not change.
    mutating func write(_ value: PackedText) {
        value.withUTF8 { utf8 in
            write(varint: UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func write(raw: some Collection<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// `section`'s bytes with their length before them, for ``BinaryReader/readSection()``.
    /// The section's content stretches come along, at their new place.
    public mutating func write(section: BinaryWriter) {
        write(varint: UInt64(section.bytes.count))
        let start = bytes.count
        bytes.append(contentsOf: section.bytes)
        if section.content != .structured {
            stretches.append(ContentStretch(range: start..<bytes.count, content: section.content))
        } else {
            stretches.append(contentsOf: section.stretches.map {
                ContentStretch(range: $0.range.lowerBound + start..<$0.range.upperBound + start, content: $0.content)
            })
        }
    }

    public mutating func write<Value: BinaryCodable>(_ value: Value) {
        value.encode(to: &self)
    }

    public mutating func write<Value: BinaryCodable>(_ value: Value?) {
        write(value != nil)
        value?.encode(to: &self)
    }

    public mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    public mutating func write(_ value: Int64?) {
        write(value != nil)
        if let value { write(value) }
    }

    public mutating func write<Element: BinaryCodable>(_ values: [Element]) {
        write(varint: UInt64(values.count))
        for value in values { value.encode(to: &self) }
    }

    public mutating func write(_ values: [String]) {
        write(varint: UInt64(values.count))
        for value in values { write(value) }
    }
}

/// Why bytes could not be decoded: the offset and what was expected there.
public struct BinaryDecodingError: Error, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}

public struct BinaryReader {
    /// The encoding of the engine's values written today. Version 2 added replay phases and
    /// incident alerts; version 3 writes a shard's events and idempotency records column by
    /// column (``ShardState/encodeSnapshot(to:)``); version 4 stores an idempotency key's
    /// digest instead of the key (``IdempotencyKeyDigest``); version 5 keeps 64 bits of an
    /// idempotency fingerprint instead of 128, and a key made from its receipt's provider event
    /// id as that spelling (``IdempotencyKeyPrefixes``).
    public static let currentFormatVersion: UInt32 = 5

    private let bytes: [UInt8]
    /// Where this reader's bytes end: the array's end, or a section's (``readSection()``).
    private let end: Int
    public private(set) var offset: Int
    /// The encoding the bytes were written in: decoders read the fields that version had and
    /// fill in the defaults of later ones, so that older snapshots stay readable.
    public let formatVersion: UInt32

    public init(_ bytes: [UInt8], offset: Int = 0, formatVersion: UInt32 = BinaryReader.currentFormatVersion) {
        self.bytes = bytes
        self.end = bytes.count
        self.offset = offset
        self.formatVersion = formatVersion
    }

    private init(section: Range<Int>, of reader: BinaryReader) {
        self.bytes = reader.bytes
        self.end = section.upperBound
        self.offset = section.lowerBound
        self.formatVersion = reader.formatVersion
    }

    public var isAtEnd: Bool { offset >= end }
    public var remaining: Int { end - offset }

    public func failure(_ reason: String) -> BinaryDecodingError {
        BinaryDecodingError(offset: offset, reason: reason)
    }

    public mutating func readByte() throws(BinaryDecodingError) -> UInt8 {
        guard offset < end else { throw failure("unexpected end") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBool() throws(BinaryDecodingError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw failure("invalid boolean")
        }
    }

    public mutating func readVarint() throws(BinaryDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64, shift < 63 || byte <= 1 else { throw failure("varint too long") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    public mutating func readInt64() throws(BinaryDecodingError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func readInt() throws(BinaryDecodingError) -> Int {
        let value = try readInt64()
        guard let int = Int(exactly: value) else { throw failure("integer out of range") }
        return int
    }

    /// A count of elements still to read; refuses counts the remaining bytes cannot hold, so
    /// a corrupt length never makes the decoder reserve gigabytes.
    public mutating func readCount() throws(BinaryDecodingError) -> Int {
        let count = try readVarint()
        guard count <= UInt64(remaining) else { throw failure("count \(count) exceeds the data") }
        return Int(count)
    }

    public mutating func readFixedUInt64() throws(BinaryDecodingError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(try readByte()) << UInt64(shift) }
        return value
    }

    public mutating func readFixedUInt32() throws(BinaryDecodingError) -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) { value |= UInt32(try readByte()) << UInt32(shift) }
        return value
    }

    public mutating func readRaw(_ count: Int) throws(BinaryDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw failure("unexpected end") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// A length-prefixed stretch of bytes (``BinaryWriter/write(section:)``) as a reader of its
    /// own, which ends where the stretch does; this reader continues after it. Sections let a
    /// decoder read several columns side by side.
    public mutating func readSection() throws(BinaryDecodingError) -> BinaryReader {
        let count = try readCount()
        defer { offset += count }
        return BinaryReader(section: offset..<offset + count, of: self)
    }

    public mutating func readString() throws(BinaryDecodingError) -> String {
        let count = try readCount()
        let text = try readRaw(count).withUnsafeBufferPointer(String.init(utf8Text:))
        guard let text else { throw failure("invalid UTF-8") }
        return text
    }

    /// A string written by ``BinaryWriter/write(_:)-String``, packed straight from its bytes.
    mutating func readPackedText() throws(BinaryDecodingError) -> PackedText {
        let count = try readCount()
        let text = try readRaw(count).withUnsafeBufferPointer { utf8 -> PackedText? in
            if utf8.allSatisfy({ $0 < 0x80 }) { return PackedText(validUTF8: utf8) }
            return String(validating: utf8, as: UTF8.self).map(PackedText.init)
        }
        guard let text else { throw failure("invalid UTF-8") }
        return text
    }

    public mutating func readOptionalString() throws(BinaryDecodingError) -> String? {
        try readBool() ? try readString() : nil
    }

    public mutating func readOptionalInt64() throws(BinaryDecodingError) -> Int64? {
        try readBool() ? try readInt64() : nil
    }

    public mutating func read<Value: BinaryCodable>(_ type: Value.Type = Value.self) throws(BinaryDecodingError) -> Value {
        try Value(from: &self)
    }

    public mutating func readOptional<Value: BinaryCodable>(_ type: Value.Type = Value.self) throws(BinaryDecodingError) -> Value? {
        try readBool() ? try Value(from: &self) : nil
    }

    public mutating func readArray<Value: BinaryCodable>(_ type: Value.Type = Value.self) throws(BinaryDecodingError) -> [Value] {
        let count = try readCount()
        var values: [Value] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try Value(from: &self)) }
        return values
    }

    public mutating func readStrings() throws(BinaryDecodingError) -> [String] {
        let count = try readCount()
        var values: [String] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readString()) }
        return values
    }
}

/// A value with a stable binary form in the journal and snapshot formats.
public protocol BinaryCodable {
    func encode(to writer: inout BinaryWriter)
    init(from reader: inout BinaryReader) throws(BinaryDecodingError)
}

/// Closed vocabularies are stored by their wire spelling: stable across reorderings of cases.
extension BinaryCodable where Self: RawRepresentable, RawValue == String {
    public func encode(to writer: inout BinaryWriter) { writer.write(rawValue) }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let raw = try reader.readString()
        guard let value = Self(rawValue: raw) else { throw reader.failure("unknown value \(raw)") }
        self = value
    }
}

/// CRC-32 (IEEE 802.3, as zlib and PNG compute it), for the journal's records and the
/// snapshot file. Slicing-by-8 (eight tables, eight bytes a step: several times the speed of a
/// byte at a time, which a snapshot of tens of megabytes feels); a few lines rather than a C
/// module for zlib's `crc32`, which compress-nio does not export.
public enum CRC32 {
    /// `tables[k][b]`: the CRC of byte `b` followed by `k` zero bytes, the eight tables flat.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            tables[index] = value
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = tables[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return tables
    }()

    public static func checksum(_ bytes: some Collection<UInt8>, continuing previous: UInt32 = 0) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: previous) }) {
            return crc
        }
        return ContiguousArray(bytes).withUnsafeBytes { checksum($0, continuing: previous) }
    }

    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        tables.withUnsafeBufferPointer { table in
            var offset = 0
            while offset + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ crc
                let high = UInt32(truncatingIfNeeded: word >> 32)
                crc = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                offset += 8
            }
            while offset < bytes.count {
                crc = table[Int((crc ^ UInt32(bytes[offset])) & 0xFF)] ^ (crc >> 8)
                offset += 1
            }
        }
        return ~crc
    }
}
