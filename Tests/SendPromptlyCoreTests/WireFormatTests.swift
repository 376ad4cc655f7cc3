@testable import SendPromptlyCore
import XCTest

/// The hand-written wire pieces: the JSON parser and writer, RFC 3339, secrets.
final class WireFormatTests: XCTestCase {
    func testJSONParsesEveryKindOfValue() throws {
        let document = try JSON.parse(Array(#" {"s": "a\"b\\c\n\u00e9\ud83d\ude00", "i": -42, "d": 1.5e3, "t": true, "f": false, "n": null, "a": [1, [], {}]} "#.utf8))
        XCTAssertEqual(document["s"], .string("a\"b\\c\né😀"))
        XCTAssertEqual(document["i"], .integer(-42))
        XCTAssertEqual(document["d"], .number(1500))
        XCTAssertEqual(document["t"], true)
        XCTAssertEqual(document["f"], false)
        XCTAssertEqual(document["n"], .null)
        XCTAssertEqual(document["a"], .array([1, .array([]), .object([])]))
    }

    func testJSONRejectsMalformedDocuments() {
        let bad = [
            "", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\\x\"",
            "\"unterminated", "{\"a\":1} x", "\"\u{01}\"", "\"\\ud800\"", "[" + String(repeating: "[", count: 40) + String(repeating: "]", count: 41),
        ]
        for text in bad {
            XCTAssertThrowsError(try JSON.parse(Array(text.utf8)), text)
        }
        XCTAssertThrowsError(try JSON.parse([0x22, 0xFF, 0x22]), "invalid UTF-8")
    }

    func testJSONRoundTripsAndEscapesForEmbedding() throws {
        let value: JSON = .object([("k", .string("<script>\"x\"\n\u{2028}")), ("n", .integer(Int64.min)), ("a", [true, nil])])
        let text = value.serialized
        XCTAssertFalse(text.contains("<"))
        XCTAssertEqual(try JSON.parse(Array(text.utf8)), value)
    }

    func testJSONWritesEachEscapeAndCopiesEverythingElse() throws {
        let text = "a\"b\\c\n\r\t\u{01}\u{1F}<>&\u{2028}\u{2029}é😀\u{2027}/z"
        let expected = #""a\"b\\c\n\r\t\u0001\u001f\u003c\u003e\u0026\u2028\u2029é😀\#u{2027}/z""#
        XCTAssertEqual(JSON.string(text).serialized, expected)
        var bytes = Array("kept".utf8)
        JSON.object([("k", .string(text)), ("e", "")]).write(to: &bytes)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "kept{\"k\":\(expected),\"e\":\"\"}", "appends to what is there")
        XCTAssertEqual(try JSON.parse(bytes.dropFirst(4)), .object([("k", .string(text)), ("e", "")]))
        XCTAssertEqual(try JSON.parse(bytes.dropFirst(4).lazy.map { $0 }), .object([("k", .string(text)), ("e", "")]), "bytes not in one piece")
    }

    /// Found by the contract test: an offset moved an instant before year 0000, which then
    /// printed as `00-1-12-31T00:01:00.000Z` in every answer about the event.
    func testRFC3339RefusesOffsetsThatLeaveTheFourDigitYears() {
        XCTAssertNil(RFC3339.parse("0000-01-01T00:00:00+23:59"))
        XCTAssertNil(RFC3339.parse("0000-01-01T00:00:00+00:01"))
        XCTAssertNil(RFC3339.parse("9999-12-31T23:59:59-00:01"))
        for edge in ["0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"] {
            XCTAssertEqual(RFC3339.parse(edge).map(RFC3339.format), edge)
        }
        XCTAssertEqual(RFC3339.parse("0000-01-01T00:00:00-23:59").map(RFC3339.format), "0000-01-01T23:59:00.000Z")
    }

    func testRFC3339FormatsUTCMillisecondsAndParsesOffsets() {
        XCTAssertEqual(RFC3339.format(Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)), "2025-11-29T06:30:00.000Z")
        XCTAssertEqual(RFC3339.format(Timestamp(millisecondsSinceEpoch: 951_782_400_123)), "2000-02-29T00:00:00.123Z")
        XCTAssertEqual(RFC3339.format(Timestamp(millisecondsSinceEpoch: -1)), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(RFC3339.parse("2025-11-29T06:30:00Z")?.millisecondsSinceEpoch, 1_764_397_800_000)
        XCTAssertEqual(RFC3339.parse("2025-11-29T08:30:00.5+02:00")?.millisecondsSinceEpoch, 1_764_397_800_500)
        XCTAssertEqual(RFC3339.parse("2025-11-29 06:30:00.123456z")?.millisecondsSinceEpoch, 1_764_397_800_123)
        for bad in ["2025-02-29T00:00:00Z", "2025-11-29", "2025-11-29T25:00:00Z", "2025-11-29T06:30:00", "2025-11-29T06:30:00+0200", "x"] {
            XCTAssertNil(RFC3339.parse(bad), bad)
        }
        for millis: Int64 in [0, 1, 86_399_999, 1_764_397_800_000, 4_102_444_800_000] {
            let timestamp = Timestamp(millisecondsSinceEpoch: millis)
            XCTAssertEqual(RFC3339.parse(RFC3339.format(timestamp)), timestamp)
        }
    }

    func testSecretHashesAreSHA256AndKeyDigestsItsFirst128Bits() {
        // FIPS 180-2's test vector for "abc".
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        XCTAssertEqual(SecretHash(of: "abc").hex, expected)
        XCTAssertEqual(SecretHash(of: String(Substring("xabc").dropFirst())).hex, expected, "a string that is no native buffer hashes alike")
        let digest = IdempotencyKeyDigest(of: "abc")
        XCTAssertEqual(digest, IdempotencyKeyDigest(high: 0xba78_16bf_8f01_cfea, low: 0x4141_40de_5dae_2223))
    }

    func testSecretsHaveTheirDocumentedShapes() {
        let key = SecretFormat.apiKey()
        XCTAssertTrue(SecretFormat.isWellFormedAPIKey(Substring(key)))
        XCTAssertFalse(SecretFormat.isWellFormedAPIKey(Substring(key.dropLast())))
        XCTAssertFalse(SecretFormat.isWellFormedAPIKey(Substring(key.dropLast() + "-")))
        let secret = SecretFormat.signingSecret()
        XCTAssertTrue(secret.hasPrefix("sps_"))
        XCTAssertEqual(secret.count, 47)
        XCTAssertTrue(secret.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })

        let hash = SecretHash(of: key)
        XCTAssertEqual(SecretHash(hex: hash.hex), hash)
        XCTAssertTrue(hash.constantTimeEquals(SecretHash(of: key)))
        XCTAssertFalse(hash.constantTimeEquals(SecretHash(of: key + "x")))
        XCTAssertNil(SecretHash(hex: "zz"))
    }
}
