import XCTest
@testable import SendPromptlyCore

/// The 64 characters that pack at 6 bits each.
private let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
private let stripeId = "evt_1NG8Du2eZvKYlo2CUI79vXWy"
private let uuid = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"

/// Strings around every boundary between the representations, and the awkward bytes.
private let samples: [String] = [
    "", "a", "_", "-", ".",
    stripeId, "evt_3MtwBwLkdIwHu7ix28a3tqPa", uuid, uuid.uppercased(),
    String(alphabet.prefix(41)), String(alphabet.suffix(41)), String(repeating: "_", count: 41),
    String(alphabet.prefix(42)), alphabet,
    String(repeating: "a.", count: 15) + "b", String(repeating: "a:", count: 16),
    "gid://shopify/Order/1234567", "evt_1NG8Du2eZvKYlo2CUI79vXWy.", String(repeating: ".", count: 41),
    String(repeating: "x", count: 255), String(repeating: "é", count: 127) + "a",
    "\u{E9}", "e\u{301}", "caf\u{E9}", "cafe\u{301}", "👍🏽", "🇨🇭", "日本語", "\u{10FFFF}",
    "\0", "a\0", "\0a", "a\0b", String(repeating: "\0", count: 31), String(repeating: "\0", count: 32),
]

final class PackedTextTests: XCTestCase {
    func testRoundTripKeepsEveryByte() {
        for text in samples {
            let packed = PackedText(text)
            XCTAssertEqual(Array(packed.string.utf8), Array(text.utf8), text.debugDescription)
            XCTAssertEqual(packed.utf8Count, text.utf8.count, text.debugDescription)
            XCTAssertEqual(packed.description, text, text.debugDescription)
            XCTAssertEqual("\(packed)", text, text.debugDescription)
        }
    }

    func testTypicalIdsAreInlineAndOthersAtTheBoundariesAreNot() {
        XCTAssertEqual(representation(""), "packed")
        XCTAssertEqual(representation(stripeId), "packed")
        XCTAssertEqual(representation(uuid), "packed")
        XCTAssertEqual(representation(String(alphabet.prefix(41))), "packed")
        XCTAssertEqual(representation(String(alphabet.prefix(42))), "text")
        XCTAssertEqual(representation(String(repeating: "a.", count: 15) + "b"), "raw")
        XCTAssertEqual(representation(String(repeating: "a:", count: 16)), "text")
        XCTAssertEqual(representation("gid://shopify/Order/1234567"), "raw")
        XCTAssertEqual(representation("e\u{301}"), "raw")
        XCTAssertEqual(representation("a\0b"), "raw")
    }

    func testEveryAsciiCharacterRoundTripsAndPacksIffInTheAlphabet() {
        for byte in UInt8(0)..<0x80 {
            for text in [String(UnicodeScalar(byte)), String(repeating: String(UnicodeScalar(byte)), count: 41)] {
                XCTAssertEqual(Array(PackedText(text).string.utf8), Array(text.utf8), "byte \(byte)")
                XCTAssertEqual(representation(text) == "packed", alphabet.utf8.contains(byte), "byte \(byte)")
            }
        }
    }

    func testTextsDifferingAnywhereAreNotEqual() {
        let bases = [
            stripeId, uuid, "order:12345.abc-xyz", "évènement-42",
            String(alphabet.prefix(42)), String(repeating: "a.", count: 20), String(repeating: "日本", count: 10),
        ]
        for base in bases {
            var variants = [copy(base), String(base.dropLast()), String(base.dropFirst()), base + "a", base + "\0"]
            let characters = Array(base)
            for position in [0, characters.count / 2, characters.count - 1] {
                for replacement: Character in ["Z", "z", ".", "é", "\0"] where characters[position] != replacement {
                    var changed = characters
                    changed[position] = replacement
                    variants.append(String(changed))
                }
            }
            for variant in variants {
                assertEqualIffSameBytes(base, variant)
            }
        }
    }

    func testEveryPairOfSamplesIsEqualIffSameBytes() {
        for a in samples {
            for b in samples + [copy(a)] {
                assertEqualIffSameBytes(a, b)
            }
        }
    }

    /// `String`'s `==` holds these equal; `PackedText` compares bytes, as an id's must match.
    func testCanonicallyEquivalentTextIsNotEqual() {
        let pairs = [
            ("\u{E9}", "e\u{301}"),
            ("caf\u{E9}", "cafe\u{301}"),
            ("\u{C5}", "\u{212B}"),
            // Same UTF-8 length, so a length check alone cannot tell them apart.
            ("\u{1E0B}\u{323}", "\u{1E0D}\u{307}"),
            (String(repeating: "\u{1E0B}\u{323}", count: 8), String(repeating: "\u{1E0D}\u{307}", count: 8)),
            (String(repeating: "\u{E9}", count: 40), String(repeating: "e\u{301}", count: 40)),
        ]
        for (first, second) in pairs {
            XCTAssertEqual(first, second)
            XCTAssertNotEqual(PackedText(first), PackedText(second))
            XCTAssertFalse(PackedText(first).equals(second))
            XCTAssertFalse(PackedText(second).equals(first))
            XCTAssertEqual(Set([PackedText(first), PackedText(second)]).count, 2)
        }
    }

    func testEqualValuesHashEqual() {
        for text in samples {
            XCTAssertEqual(hash(PackedText(text)), hash(PackedText(copy(text))), text.debugDescription)
        }
    }

    func testSetOfDistinctStripeIdsKeepsThemAll() {
        var generator = SplitMix64(seed: 1)
        let characters = Array(alphabet.utf8.prefix(62))
        let ids = (0..<100_000).map { _ in
            "evt_" + String(decoding: (0..<24).map { _ in characters.randomElement(using: &generator)! }, as: UTF8.self)
        }
        XCTAssertEqual(Set(ids).count, 100_000)
        let set = Set(ids.map(PackedText.init))
        XCTAssertEqual(set.count, 100_000)
        XCTAssertTrue(ids.allSatisfy { set.contains(PackedText(copy($0))) })
    }

    func testRandomTextsRoundTripAndAreEqualIffSameBytes() {
        let pools: [[Unicode.Scalar]] = [
            alphabet.unicodeScalars.map { $0 },
            ["a", "b"],
            "0123456789abcdef-".unicodeScalars.map { $0 },
            (0x20...0x7E).map { Unicode.Scalar(UInt8($0)) },
            ["\0", "\t", "\n", "a", ".", ":", "/"],
            ["e", "\u{301}", "\u{E9}", "\u{1E0B}", "\u{323}", "\u{1E0D}", "\u{307}"],
            ["日", "本", "€", "Ω", "ß", "a"],
            ["👍", "🏽", "🇨", "🇭", "\u{200D}", "a"],
        ]
        let everything = pools.flatMap { $0 }
        var generator = SplitMix64(seed: 42)
        let texts = (0..<10_000).map { _ in
            let pool = Bool.random(using: &generator) ? pools.randomElement(using: &generator)! : everything
            // Half are short, so that random pairs are sometimes equal.
            let length = Int.random(in: 0...(Bool.random(using: &generator) ? 60 : 3), using: &generator)
            var text = String.UnicodeScalarView()
            for _ in 0..<length { text.append(pool.randomElement(using: &generator)!) }
            return String(text)
        }

        var equalPairs = 0, mutations = 0, nonEmpty = 0
        for text in texts {
            let packed = PackedText(text)
            XCTAssertEqual(Array(packed.string.utf8), Array(text.utf8), text.debugDescription)
            XCTAssertEqual(packed.utf8Count, text.utf8.count, text.debugDescription)

            let other = texts.randomElement(using: &generator)!
            assertEqualIffSameBytes(text, other)
            if text.utf8.elementsEqual(other.utf8) { equalPairs += 1 }

            if !text.isEmpty { nonEmpty += 1 }
            if let mutated = mutatingOneByte(of: text, using: &generator) {
                assertEqualIffSameBytes(text, mutated)
                XCTAssertEqual(Array(PackedText(mutated).string.utf8), Array(mutated.utf8))
                mutations += 1
            }
        }
        XCTAssertGreaterThan(equalPairs, 100)
        XCTAssertGreaterThanOrEqual(mutations, nonEmpty * 99 / 100)
    }

    func testFitsInThirtyThreeBytes() {
        XCTAssertLessThanOrEqual(MemoryLayout<PackedText>.size, 33)
    }
}

/// Checks `==`, both `equals(_:)` and the hashes against a byte comparison.
private func assertEqualIffSameBytes(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
    let sameBytes = a.utf8.elementsEqual(b.utf8)
    let message = "\(a.debugDescription) vs \(b.debugDescription)"
    XCTAssertEqual(PackedText(a) == PackedText(b), sameBytes, message, file: file, line: line)
    XCTAssertEqual(PackedText(a).equals(b), sameBytes, message, file: file, line: line)
    XCTAssertEqual(PackedText(b).equals(a), sameBytes, message, file: file, line: line)
    if sameBytes {
        XCTAssertEqual(hash(PackedText(a)), hash(PackedText(b)), message, file: file, line: line)
    }
}

/// The case of the private representation, by reflection: which texts avoid the heap is what callers
/// rely on, and `text` is the only case that holds a heap String.
private func representation(_ text: String) -> String? {
    let storage = Mirror(reflecting: PackedText(text)).children.first!.value
    return Mirror(reflecting: storage).children.first!.label
}

private func hash(_ value: PackedText) -> Int {
    var hasher = Hasher()
    value.hash(into: &hasher)
    return hasher.finalize()
}

/// The same bytes in a separately allocated String, so that nothing is equal by identity.
private func copy(_ text: String) -> String {
    String(decoding: Array(text.utf8), as: UTF8.self)
}

/// `text` with one byte changed such that it is still valid UTF-8, or nil if none was found.
private func mutatingOneByte(of text: String, using generator: inout SplitMix64) -> String? {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return nil }
    for _ in 0..<16 {
        var mutated = bytes
        let index = Int.random(in: bytes.indices, using: &generator)
        switch bytes[index] {
        case 0..<0x80:
            mutated[index] = (bytes[index] + UInt8.random(in: 1..<0x80, using: &generator)) & 0x7F
        case 0x80..<0xC0:
            mutated[index] = 0x80 | (((bytes[index] & 0x3F) + UInt8.random(in: 1..<0x40, using: &generator)) & 0x3F)
        default:
            continue  // A leading byte sets the sequence's length; changing it rarely stays valid.
        }
        let decoded = String(decoding: mutated, as: UTF8.self)  // Replaces invalid sequences with U+FFFD.
        if decoded.utf8.elementsEqual(mutated) { return decoded }
    }
    return nil
}
