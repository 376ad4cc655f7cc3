@testable import SendPromptlyCore
import XCTest

/// Inputs the fuzzers of `Fuzz/` found, kept so that `swift test` covers them without the
/// fuzzer. Each names the corpus file it came from (`Fuzz/Corpus/TARGET/regression-…`).
final class FuzzRegressionTests: XCTestCase {
    /// `ingest-json/regression-number-beyond-double`: `1e400` used to parse as infinity, which
    /// the writer turns into `null`, so a document did not read back as itself (and Foundation's
    /// parser refuses it). Now a syntax error at the number, and a receipt carrying one is
    /// `invalid_json`.
    func testNumbersBeyondDoubleAreNotJSON() throws {
        for text in ["1e400", "-1e400", "[1, 2e999]", "{\"timeout_seconds\": 1E+309}"] {
            XCTAssertThrowsError(try JSON.parse(Array(text.utf8)), text)
        }
        XCTAssertEqual(try JSON.parse(Array("1.7976931348623157e308".utf8)), .number(.greatestFiniteMagnitude))
        XCTAssertEqual(try JSON.parse(Array("1e-400".utf8)), .number(0))
        let body = #"{"provider": "stripe", "provider_event_id": "evt_1", "event_type": "invoice.paid", "effect_type": "credit_grant", "timeout_seconds": 1e400}"#
        XCTAssertThrowsError(try Receipt(body: Array(body.utf8))) { error in
            guard let error = error as? EngineError, case .invalidJSON = error else { return XCTFail("\(error)") }
        }
    }
}
