import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import SendPromptlyCore
@testable import SendPromptlyHTTP
import XCTest

/// Server bugs the contract test (schemathesis with openapi.json, and the probes beside it)
/// found, each kept as the request that showed it.
final class ContractRegressionTests: XCTestCase {
    /// `occurred_at` with an offset that moved it before year 0000 was accepted, and the event
    /// then answered an `occurred_at` that is no date-time (`00-1-12-31T00:01:00.000Z`).
    func testAnOccurredAtOutsideTheFourDigitYearsIsAValidationError() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            for instant in ["0000-01-01T00:00:00+23:59", "9999-12-31T23:59:59-00:01"] {
                let reply = try await api.receipt(project.key, eventID: "evt_\(instant)", extra: #", "occurred_at": "\#(instant)""#)
                XCTAssertEqual(reply.status, .unprocessableContent, instant)
                XCTAssertEqual(reply.errorField, "occurred_at", instant)
            }
            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 0)
        }
    }

    /// A body cut short by the client (or by the request timeout closing the connection) was
    /// logged as a server failure and turned into 500 `internal_error`. The client rarely sees
    /// the answer (its connection is gone), so the middleware is asked directly.
    func testABodyCutShortIsNotAServerError() async throws {
        let middleware = APIErrorMiddleware<BasicRequestContext>()
        let request = Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "test", path: "/api/v1/receipt"),
            body: RequestBody(buffer: ByteBuffer()))
        let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: Logger(label: "test")))
        do {
            _ = try await middleware.handle(request, context: context) { _, _ in throw HTTPParserError.invalidEOFState }
            XCTFail("the failure is passed on as an error answer")
        } catch let error as APIError {
            XCTAssertEqual(error.status, .badRequest)
            XCTAssertEqual(error.code, "invalid_json")
        }
    }
}
