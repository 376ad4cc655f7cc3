import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import SendPromptlyCore
import SendPromptlyEngine
import SendPromptlyHTTP
import XCTest

/// A running API over a real engine with a manual clock: `.live` serves it on a loopback port
/// and talks HTTP to it; `.router` hands requests straight to the router. Deadlines move only
/// when a test advances ``clock`` and calls ``expireDue()``.
struct APIHarness: Sendable {
    static let adminToken = "spa_test-admin-token-0123456789abcdef"

    let client: any TestClientProtocol
    let clock: ManualClock
    let engine: Engine
    let readiness: Readiness

    /// A response: status, parsed JSON body (nil when empty), headers.
    struct Reply {
        let status: HTTPResponse.Status
        let body: JSON?
        let headers: HTTPFields

        subscript(key: String) -> JSON? { body?[key] }

        var errorCode: String? {
            guard case .string(let code)? = body?["error"]?["code"] else { return nil }
            return code
        }

        var errorField: String? {
            guard case .string(let field)? = body?["error"]?["field"] else { return nil }
            return field
        }

        func string(_ key: String) -> String? {
            guard case .string(let value)? = body?[key] else { return nil }
            return value
        }
    }

    static func run(
        _ setup: TestingSetup = .live, settings: ServerSettings = ServerSettings(), quota: IngestQuota = .unlimited,
        retention: RetentionPolicy = .standard, metrics: ServerMetrics = ServerMetrics(registry: PrometheusCollectorRegistry()),
        _ test: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        let clock = ManualClock()
        let engine = Engine(shardCount: 2, clock: clock, quota: quota, retention: retention)
        let readiness = Readiness(ready: true)
        var settings = settings
        settings.port = 0
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let application = try buildApplication(
            slot: EngineSlot(engine), settings: settings, adminTokenHash: SecretHash(of: adminToken), readiness: readiness, logger: logger,
            metrics: metrics)
        try await application.test(setup) { client in
            try await test(APIHarness(client: client, clock: clock, engine: engine, readiness: readiness))
        }
    }

    // MARK: Requests

    func request(
        _ method: HTTPRequest.Method, _ path: String, bearer: String?, body: String? = nil,
        idempotencyKey: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers: HTTPFields = [.accept: "application/json"]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if body != nil { headers[.contentType] = "application/json" }
        if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        for field in extra { headers[field.name] = field.value }
        let response = try await client.executeRequest(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let bytes = Array(response.body.readableBytesView)
        let json = bytes.isEmpty ? nil : try JSON.parse(bytes)
        return Reply(status: response.status, body: json, headers: response.headers)
    }

    /// Creates a project as the operator; answers its id and `manage` key.
    func createProject(_ name: String = "Shop", extra: String = "") async throws -> (id: String, key: String) {
        let reply = try await request(.post, "/admin/v1/projects", bearer: Self.adminToken, body: #"{"name": "\#(name)"\#(extra)}"#)
        XCTAssertEqual(reply.status, .created)
        return (try XCTUnwrap(reply.string("project_id")), try XCTUnwrap(reply.string("api_key")))
    }

    func receipt(
        _ key: String, eventID: String = "evt_1", extra: String = "", idempotencyKey: String? = nil
    ) async throws -> Reply {
        let body = #"{"provider": "stripe", "provider_event_id": "\#(eventID)", "event_type": "checkout.session.completed", "effect_type": "access_unlock"\#(extra)}"#
        return try await request(.post, "/api/v1/receipt", bearer: key, body: body, idempotencyKey: idempotencyKey ?? "receipt-\(eventID)")
    }

    func result(
        _ key: String, eventID: String, status: String, extra: String = "", idempotencyKey: String? = nil
    ) async throws -> Reply {
        let body = #"{"event_id": "\#(eventID)", "status": "\#(status)"\#(extra)}"#
        return try await request(
            .post, "/api/v1/result", bearer: key, body: body,
            idempotencyKey: idempotencyKey ?? "result-\(UInt64.random(in: 0 ... .max))")
    }

    func get(_ path: String, _ key: String) async throws -> Reply {
        try await request(.get, path, bearer: key)
    }

    /// Moves the clock and expires what became due, as the expiry driver does every tick.
    func advance(milliseconds: Int64) async {
        clock.advance(milliseconds: milliseconds)
        await engine.advance()
    }

    func pendingReceipts(project: String) async throws -> Int64? {
        let reply = try await get("/admin/v1/projects/\(project)", Self.adminToken)
        guard case .integer(let count)? = reply["pending_receipts"] else { return nil }
        return count
    }
}
