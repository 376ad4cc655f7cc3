import SendPromptlyCore
import SendPromptlyHTTP
import XCTest

/// The HTTP front's own limits, with real sockets over loopback: connections per address and in
/// total, the idle and request timeouts (a slowloris client), header size and count. Each test
/// waits on the server closing the socket; the safety net only ends a failing test.
final class ConnectionLimitTests: XCTestCase {
    private static let health = "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"

    private static func settings(_ change: (inout HTTPLimits) -> Void) -> ServerSettings {
        var settings = ServerSettings()
        change(&settings.limits)
        return settings
    }

    private static func port(_ api: APIHarness) throws -> Int { try XCTUnwrap(api.client.port) }

    /// A connection the server admitted: it answers a request on it.
    private static func admitted(_ port: Int, from source: String = "127.0.0.1") async throws -> RawConnection {
        let connection = try await RawConnection.connect(port: port, from: source)
        try await connection.send(Self.health)
        let response = await connection.readResponse()
        XCTAssertEqual(response?.hasPrefix("HTTP/1.1 200"), true, "admitted from \(source)")
        return connection
    }

    private static func refused(_ port: Int, from source: String = "127.0.0.1") async throws {
        let connection = try await RawConnection.connect(port: port, from: source)
        let closed = await connection.serverCloses()
        XCTAssertTrue(closed, "the server closes a connection from \(source) past the limit at once")
    }

    func testConnectionsPastThePerAddressAndTotalLimitsAreClosedAtOnce() async throws {
        // The test client holds a connection or two from 127.0.0.1; these come from other
        // loopback addresses.
        let settings = Self.settings {
            $0.maximumConnectionsPerAddress = 2
            $0.maximumConnections = 6
        }
        try await APIHarness.run(settings: settings) { api in
            let port = try Self.port(api)
            let first = try await Self.admitted(port, from: "127.0.0.2")
            let second = try await Self.admitted(port, from: "127.0.0.2")
            try await Self.refused(port, from: "127.0.0.2")
            // One more address at a time until the total is reached: within six, whatever the
            // test client holds.
            var held = [first, second]
            var octet = 3
            while held.count < 6 {
                let connection = try await RawConnection.connect(port: port, from: "127.0.0.\(octet)")
                try? await connection.send(Self.health)
                guard await connection.readResponse() != nil else { break }
                held.append(connection)
                octet += 1
            }
            XCTAssertLessThan(held.count, 6, "the total limit closed a connection")
            try await Self.refused(port, from: "127.0.0.\(octet + 1)")
            // The admitted ones keep working; one closing makes room again.
            try await first.send(Self.health)
            let again = await first.readResponse()
            XCTAssertEqual(again?.hasPrefix("HTTP/1.1 200"), true)
            await second.close()
            let replacement = try await Self.eventuallyAdmitted(port, from: "127.0.0.\(octet + 2)")
            for connection in held.dropFirst(2) + [first, replacement] { await connection.close() }
        }
    }

    /// The server counts a closed connection out when it sees the close, a moment after the
    /// client closed: poll until a new connection is admitted.
    private static func eventuallyAdmitted(_ port: Int, from source: String) async throws -> RawConnection {
        for _ in 0..<600 {
            let connection = try await RawConnection.connect(port: port, from: source)
            try? await connection.send(Self.health)
            if let response = await connection.readResponse() {
                XCTAssertTrue(response.hasPrefix("HTTP/1.1 200"))
                return connection
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("no connection admitted after one closed")
        throw CancellationError()
    }

    func testAnIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        let settings = Self.settings {
            $0.idleTimeout = .milliseconds(300)
            $0.requestTimeout = .seconds(3600)
        }
        try await APIHarness.run(settings: settings) { api in
            let connection = try await Self.admitted(try Self.port(api))
            let closed = await connection.serverCloses()
            XCTAssertTrue(closed, "an idle keep-alive connection is closed")
        }
    }

    /// The idle timeout is an hour: only the request timeout can close a connection.
    private static let requestTimeoutOnly = settings {
        $0.idleTimeout = .seconds(3600)
        $0.requestTimeout = .milliseconds(500)
    }

    func testASlowlorisSendingItsHeadersByteByByteIsCutOffAtTheRequestTimeout() async throws {
        try await APIHarness.run(settings: Self.requestTimeoutOnly) { api in
            let connection = try await RawConnection.connect(port: try Self.port(api))
            let endless = "GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: " + String(repeating: "a", count: 10_000)
            connection.trickle(endless, every: .milliseconds(20))
            let closed = await connection.serverCloses()
            XCTAssertTrue(closed, "a trickled request head is cut off")
        }
    }

    func testASlowBodyIsCutOffAtTheRequestTimeoutButAnAnsweredConnectionIsNot() async throws {
        try await APIHarness.run(settings: Self.requestTimeoutOnly) { api in
            let project = try await api.createProject()
            let port = try Self.port(api)
            let body = #"{"provider": "stripe", "provider_event_id": "evt_slow", "event_type": "t", "effect_type": "credit_grant"}"#
            let head = "POST /api/v1/receipt HTTP/1.1\r\nHost: test\r\nAccept: application/json\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer \(project.key)\r\nIdempotency-Key: slow\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            let slow = try await RawConnection.connect(port: port)
            try await slow.send(head)
            slow.trickle(body, every: .milliseconds(50))
            let closed = await slow.serverCloses()
            XCTAssertTrue(closed, "a trickled body is cut off")
            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 0, "nothing of the cut-off request was applied")

            // A request that arrived in time, answered, leaves its connection open for the next.
            let fast = try await RawConnection.connect(port: port)
            try await fast.send(head + body)
            let accepted = await fast.readResponse()
            XCTAssertEqual(accepted?.hasPrefix("HTTP/1.1 202"), true)
            try await fast.send(Self.health)
            let next = await fast.readResponse()
            XCTAssertEqual(next?.hasPrefix("HTTP/1.1 200"), true, "the deadline stopped with the request")
            await fast.close()
        }
    }

    func testTooManyOrTooLargeHeadersAre431WithTheErrorShape() async throws {
        let settings = Self.settings {
            $0.maximumHeaderBytes = 2048
            $0.maximumHeaderCount = 16
        }
        try await APIHarness.run(settings: settings) { api in
            let port = try Self.port(api)
            let many = (0..<20).map { "X-Header-\($0): v\r\n" }.joined()
            let large = "X-Large: " + String(repeating: "l", count: 4096) + "\r\n"
            for extra in [many, large] {
                let connection = try await RawConnection.connect(port: port)
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n")
                let answer = await connection.readResponse()
                let response = try XCTUnwrap(answer)
                XCTAssertTrue(response.hasPrefix("HTTP/1.1 431"), response)
                XCTAssertTrue(response.contains(#"{"error":{"code":"headers_too_large""#), response)
                let closed = await connection.serverCloses()
                XCTAssertTrue(closed)
            }
            let within = (0..<10).map { "X-Header-\($0): v\r\n" }.joined()
            let connection = try await RawConnection.connect(port: port)
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n" + within + "\r\n")
            let response = await connection.readResponse()
            XCTAssertEqual(response?.hasPrefix("HTTP/1.1 200"), true)
            await connection.close()
        }
    }
}
