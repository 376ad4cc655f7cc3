@testable import SendPromptlyCore
import XCTest

final class BinaryCodingTests: XCTestCase {
    /// The check value of CRC-32/ISO-HDLC (zlib's), and the slicing-by-8 path agreeing with a
    /// byte-at-a-time reference at every length and split around the 8-byte steps.
    func testCRC32MatchesTheStandardAndAByteAtATimeReference() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        var generator = SplitMix64(seed: 11)
        let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for length in 0..<bytes.count {
            let prefix = Array(bytes.prefix(length))
            XCTAssertEqual(CRC32.checksum(prefix), Self.reference(prefix), "length \(length)")
            let split = length / 3
            XCTAssertEqual(
                CRC32.checksum(prefix[split...], continuing: CRC32.checksum(prefix[..<split])), Self.reference(prefix),
                "length \(length) split at \(split)")
        }
        // A collection without contiguous storage takes the same path.
        XCTAssertEqual(CRC32.checksum(bytes.lazy.map { $0 }), Self.reference(bytes))
    }

    /// Stretches of sections with a content of their own move to where the section lands, also
    /// through a structured section in between; structured sections add none.
    func testContentStretchesFollowTheirSectionsIntoTheWriter() {
        var random = BinaryWriter(content: .random)
        random.write(raw: [1, 2, 3])
        var text = BinaryWriter(content: .text)
        text.write("abc")
        var inner = BinaryWriter()
        inner.write(UInt8(0))
        inner.write(section: random)
        var outer = BinaryWriter()
        outer.write(raw: [9, 9])
        outer.write(section: inner)
        outer.write(section: text)
        // outer: 9 9 | len(inner) | inner: 0 | len 3 | 1 2 3 | len(text) | text: len 3 a b c
        XCTAssertEqual(outer.stretches, [
            ContentStretch(range: 5..<8, content: .random),
            ContentStretch(range: 9..<13, content: .text),
        ])
        XCTAssertEqual(Array(outer.bytes[5..<8]), [1, 2, 3])
        XCTAssertEqual(Array(outer.bytes[9..<13]), [3] + Array("abc".utf8))
        XCTAssertEqual(inner.stretches, [ContentStretch(range: 2..<5, content: .random)])
    }

    func testStringsDecodeAsciiAndUTF8AndRefuseInvalidUTF8() throws {
        var writer = BinaryWriter()
        writer.write("evt_1NXWPnBXkx")
        writer.write("Müller – café")
        writer.write(varint: 2)
        writer.write(raw: [0xC3, 0x28])
        var reader = BinaryReader(writer.bytes)
        XCTAssertEqual(try reader.readString(), "evt_1NXWPnBXkx")
        XCTAssertEqual(try reader.readString(), "Müller – café")
        XCTAssertThrowsError(try reader.readString()) { error in
            XCTAssertTrue("\(error)".contains("invalid UTF-8"), "\(error)")
        }
    }

    private static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }
}
