import Foundation
@testable import SendPromptlyDelivery
@testable import SendPromptlyRepair
import XCTest

/// The dispatcher's decisions that need no network: the signature, which addresses a callback
/// may reach, and what an answer means.
final class RepairPolicyTests: XCTestCase {
    func testTheSignatureMatchesAnIndependentHMAC() {
        // Expected values computed with Python's hmac module.
        let header = RepairCallback.signatureHeader(
            secrets: ["sps_test", "sps_old"], timestamp: 1_764_397_800, nonce: "0123456789abcdef0123456789abcdef",
            body: Array(#"{"a":1}"#.utf8))
        XCTAssertEqual(
            header,
            "v1=1f70a38d6184b782058111a6299a17b51913fe5461a29bf20afad5d8463bebae "
                + "v1=4f22041705c782bc1c0b1353e7e66038d19e4ea91531baf854428e23dbdd23ec")
    }

    func testNoncesAre32LowercaseHexAndFresh() {
        let nonces = (0..<100).map { _ in RepairCallback.makeNonce() }
        XCTAssertEqual(Set(nonces).count, 100)
        for nonce in nonces { XCTAssertNotNil(nonce.wholeMatch(of: /[0-9a-f]{32}/)) }
    }

    func testAddressesAreClassified() throws {
        let restricted = [
            "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
            "224.0.0.1", "fd00:ec2::254", "fe80::1", "::", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe",
        ]
        for text in restricted {
            XCTAssertNotNil(try XCTUnwrap(IPAddress(text), text).restrictedCategory, text)
        }
        for text in ["127.0.0.1", "::1", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:1.1.1.1"] {
            XCTAssertNil(try XCTUnwrap(IPAddress(text), text).restrictedCategory, text)
        }
        XCTAssertEqual(IPAddress("::ffff:10.0.0.1")?.description, "::ffff:10.0.0.1")
    }

    func testTheAllowListTakesRangesAndHosts() async throws {
        let policy = try XCTUnwrap(AddressPolicy(allowing: ["10.0.0.0/8", "Repair.Internal"]))
        XCTAssertTrue(policy.allowedRanges[0].contains(IPAddress("10.200.0.1")!))
        XCTAssertFalse(policy.allowedRanges[0].contains(IPAddress("11.0.0.1")!))
        XCTAssertTrue(policy.allowedHosts.contains("repair.internal"))
        try await policy.check(host: "repair.internal")
        try await policy.check(host: "10.9.8.7")
        XCTAssertNil(AddressPolicy(allowing: ["10.0.0.0/99"]))
        XCTAssertNil(AddressPolicy(allowing: ["bad host!"]))

        let strict = try XCTUnwrap(AddressPolicy())
        try await strict.check(host: "127.0.0.1")
        try await strict.check(host: "[::1]")
        do {
            try await strict.check(host: "192.168.0.10")
            XCTFail("a private address passed")
        } catch let refusal as AddressPolicy.Refusal {
            XCTAssertTrue(refusal.description.contains("private"), refusal.description)
        }
    }

    func testAnswersAreClassifiedByTheWireContract() {
        let now = Date(timeIntervalSince1970: 1_764_397_800)
        for code in [200, 202, 204] { XCTAssertEqual(AttemptVerdict(httpStatus: code, retryAfter: nil, now: now), .delivered) }
        for code in [408, 429, 500, 502, 503] {
            XCTAssertEqual(AttemptVerdict(httpStatus: code, retryAfter: nil, now: now), .retry(retryAfterMilliseconds: nil), "\(code)")
        }
        for code in [301, 302, 307, 400, 401, 404, 410, 422] { XCTAssertEqual(AttemptVerdict(httpStatus: code, retryAfter: nil, now: now), .halt, "\(code)") }
        XCTAssertEqual(AttemptVerdict(httpStatus: 503, retryAfter: "120", now: now), .retry(retryAfterMilliseconds: 120_000))
        XCTAssertEqual(
            AttemptVerdict(httpStatus: 429, retryAfter: "Sat, 29 Nov 2025 06:31:00 GMT", now: now), .retry(retryAfterMilliseconds: 60_000))
        XCTAssertEqual(AttemptVerdict(httpStatus: 429, retryAfter: "99999999", now: now), .retry(retryAfterMilliseconds: AttemptVerdict.maximumRetryAfterMilliseconds))
        XCTAssertEqual(AttemptVerdict(httpStatus: 429, retryAfter: "soon", now: now), .retry(retryAfterMilliseconds: nil))
    }
}
