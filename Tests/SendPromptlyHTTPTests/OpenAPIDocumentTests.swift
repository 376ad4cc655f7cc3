import Foundation
import HTTPTypes
import NIOCore
import SendPromptlyCore
import SendPromptlyHTTP
import XCTest

/// The OpenAPI document: served byte for byte as the repository keeps it, and naming only routes
/// that exist. Schemathesis (`Tests/contract/schemathesis.sh`) checks the answers against it.
final class OpenAPIDocumentTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func document() throws -> [UInt8] {
        Array(try Data(contentsOf: Self.repository.appendingPathComponent("openapi.json")))
    }

    func testTheServedDocumentIsTheRepositoryFileByteForByte() async throws {
        let file = try document()
        try await APIHarness.run { api in
            let response = try await api.client.executeRequest(uri: "/openapi.json", method: .get, headers: [:], body: nil)
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "application/json")
            XCTAssertTrue(
                Array(response.body.readableBytesView) == file,
                "the compiled-in document differs from openapi.json: run Tests/contract/embed-openapi.sh")
        }
    }

    func testEveryDocumentedOperationIsRouted() async throws {
        let spec = try JSON.parse(try document())
        XCTAssertEqual(spec["openapi"], .string("3.1.0"))
        guard case .object(let paths)? = spec["paths"] else { return XCTFail("no paths") }
        try await APIHarness.run { api in
            let project = try await api.createProject()
            for (template, item) in paths {
                guard case .object(let operations) = item else { continue }
                let path = template.replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "x_unknown", options: .regularExpression)
                for (method, operation) in operations {
                    var bearer = project.key
                    if case .array(let schemes)? = operation["security"], schemes.contains(where: { $0["adminToken"] != nil }) {
                        bearer = APIHarness.adminToken
                    }
                    // Not through `api.request`: /metrics answers text, not JSON.
                    let reply = try await api.client.executeRequest(
                        uri: path, method: HTTPRequest.Method(method.uppercased())!,
                        headers: [.authorization: "Bearer \(bearer)", .accept: "application/json"], body: nil)
                    let error = try? JSON.parse(Array(reply.body.readableBytesView))["error"]
                    let routed = reply.status != .methodNotAllowed
                        && !(reply.status == .notFound && error?["message"] == .string("no such route"))
                    XCTAssertTrue(routed, "\(method) \(template) is documented but not routed")
                }
            }
        }
    }
}
