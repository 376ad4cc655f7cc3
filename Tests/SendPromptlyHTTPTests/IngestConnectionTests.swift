import SendPromptlyCore
import SendPromptlyHTTP
import XCTest

/// The ingest fast path on real connections: answers leave in the order requests came, however
/// requests are split between the fast path and the router; the connection's own rules
/// (`Connection: close`, body limits) hold for both.
final class IngestConnectionTests: XCTestCase {
    /// One answer as read off the wire.
    private struct Answer {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: String

        init(_ text: String) throws {
            let parts = text.components(separatedBy: "\r\n\r\n")
            let lines = parts[0].components(separatedBy: "\r\n")
            status = try XCTUnwrap(Int(lines[0].split(separator: " ")[1]))
            headers = lines.dropFirst().map { line in
                let field = line.split(separator: ":", maxSplits: 1)
                return (String(field[0]), field[1].trimmingCharacters(in: .whitespaces))
            }
            body = parts.dropFirst().joined(separator: "\r\n\r\n")
        }

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var json: JSON? { try? JSON.parse(Array(body.utf8)) }
    }

    private static func nextAnswer(_ connection: RawConnection) async throws -> Answer {
        let text = await connection.readResponse()
        return try Answer(try XCTUnwrap(text, "the server closed the connection instead of answering"))
    }

    private static func receipt(_ key: String, event: String, extraHeaders: String = "", scheme: String = "Bearer ") -> String {
        let body = #"{"provider": "stripe", "provider_event_id": "\#(event)", "event_type": "invoice.paid", "effect_type": "credit_grant"}"#
        return "POST /api/v1/receipt HTTP/1.1\r\nHost: test\r\nAuthorization: \(scheme)\(key)\r\nAccept: application/json\r\n"
            + "Content-Type: application/json\r\nIdempotency-Key: receipt-\(event)\r\n\(extraHeaders)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    private static func result(_ key: String, event: String) -> String {
        let body = #"{"provider_event_id": "\#(event)", "status": "failed"}"#
        return "POST /v1/result HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(key)\r\nAccept: application/json\r\n"
            + "Content-Type: application/json\r\nIdempotency-Key: result-\(event)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func testPipelinedRequestsAreAnsweredInTheOrderTheyCame() async throws {
        try await APIHarness.run { api in
            let (_, key) = try await api.createProject()
            let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
            // A receipt for the fast path, a request for the router, a receipt queued behind it
            // (the router's ingest route answers it), and a result for the first receipt.
            try await connection.send(
                Self.receipt(key, event: "evt_a") + "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"
                    + Self.receipt(key, event: "evt_b") + Self.result(key, event: "evt_a"))
            var answers: [Answer] = []
            for _ in 0..<4 { answers.append(try await Self.nextAnswer(connection)) }
            await connection.close()

            XCTAssertEqual(answers.map(\.status), [202, 200, 202, 200])
            let events = answers.map { $0.json?["event_id"] }
            XCTAssertNotNil(events[0])
            XCTAssertNotEqual(events[0], events[2], "each receipt answers its own event")
            XCTAssertEqual(events[3], events[0], "the result found the first receipt")
            XCTAssertEqual(answers[3].json?["incident_status"], .string("open"))
            for answer in answers where answer.json?["event_id"] != nil {
                XCTAssertEqual(answer.header("Content-Type"), "application/json")
                XCTAssertEqual(answer.header("Server"), "sendpromptly")
                XCTAssertNotNil(answer.header("Date"))
            }
        }
    }

    /// A connection keeps the hash of the last API key it presented (hashing it once): every
    /// request is still answered for the key it carries, and a key revoked mid-connection is
    /// refused on that connection at once.
    func testOneConnectionGetsEachKeysAnswerAndARevocationAtOnce() async throws {
        try await APIHarness.run { api in
            let (first, _) = try await api.createProject("First")
            let (second, secondKey) = try await api.createProject("Second")
            let created = try await api.request(
                .post, "/admin/v1/projects/\(first)/keys", bearer: APIHarness.adminToken, body: #"{"label": "worker"}"#)
            let workerKey = try XCTUnwrap(created.string("api_key"))
            let keyID = try XCTUnwrap(created.string("key_id"))
            let unknownKey = "sk_" + String(repeating: "A", count: 40)
            let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
            let sends: [(key: String, scheme: String)] = [
                (workerKey, "Bearer "), (unknownKey, "Bearer "), (workerKey, "bearer   "), (secondKey, "BEARER "),
                (workerKey, "Bearer"), (workerKey, "Basic "), (workerKey, "Bearer "),
            ]
            var statuses: [Int] = []
            for (index, send) in sends.enumerated() {
                try await connection.send(Self.receipt(send.key, event: "evt_\(index)", scheme: send.scheme))
                statuses.append(try await Self.nextAnswer(connection).status)
            }
            XCTAssertEqual(statuses, [202, 401, 202, 202, 401, 401, 202])

            let revoked = try await api.request(.delete, "/admin/v1/projects/\(first)/keys/\(keyID)", bearer: APIHarness.adminToken)
            XCTAssertEqual(revoked.status, .ok)
            try await connection.send(Self.receipt(workerKey, event: "evt_revoked"))
            let refused = try await Self.nextAnswer(connection)
            await connection.close()
            XCTAssertEqual(refused.status, 401)
            XCTAssertEqual(refused.json?["error"]?["code"], .string("unauthorized"))
            let firstPending = try await api.pendingReceipts(project: first)
            let secondPending = try await api.pendingReceipts(project: second)
            XCTAssertEqual(firstPending, 3, "the worker key's accepted receipts, in its own project")
            XCTAssertEqual(secondPending, 1, "the other project's key created its receipt there")
        }
    }

    /// The answer says the connection ends (RFC 9112 §9.6), whether the fast path or the router
    /// gives it.
    func testConnectionCloseEndsTheConnectionAfterTheAnswer() async throws {
        try await APIHarness.run { api in
            let (_, key) = try await api.createProject()
            for (request, status) in [
                (Self.receipt(key, event: "evt_close", extraHeaders: "Connection: close\r\n"), 202),
                ("GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", 200),
                ("GET /api/v1/nothing-here HTTP/1.1\r\nHost: test\r\nAccept: application/json\r\nConnection: close\r\n\r\n", 404),
            ] {
                let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
                try await connection.send(request)
                let answer = try await Self.nextAnswer(connection)
                XCTAssertEqual(answer.status, status, request)
                XCTAssertEqual(answer.header("Connection"), "close", request)
                let closed = await connection.serverCloses()
                XCTAssertTrue(closed, "the server closes the connection after the answer")
            }
        }
    }

    /// Whitespace after a header's value is not part of it (RFC 9110 §5.5): the fast path reads
    /// the same key and `Idempotency-Key` as the router does.
    func testWhitespaceAfterAHeaderValueIsNotPartOfIt() async throws {
        try await APIHarness.run { api in
            let (project, key) = try await api.createProject()
            let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
            let padded = Self.receipt(key, event: "evt_padded")
                .replacingOccurrences(of: "Bearer \(key)\r\n", with: "Bearer \(key) \t\r\n")
                .replacingOccurrences(of: "Idempotency-Key: receipt-evt_padded\r\n", with: "Idempotency-Key: receipt-evt_padded  \r\n")
                .replacingOccurrences(of: "Content-Type: application/json\r\n", with: "Content-Type: application/json\t\r\n")
            try await connection.send(padded + Self.receipt(key, event: "evt_padded"))
            let first = try await Self.nextAnswer(connection)
            let again = try await Self.nextAnswer(connection)
            await connection.close()
            XCTAssertEqual(first.status, 202, first.body)
            XCTAssertEqual(again.status, 202)
            XCTAssertEqual(again.header("Idempotent-Replayed"), "true", "the same Idempotency-Key, without the spaces")
            let pending = try await api.pendingReceipts(project: project)
            XCTAssertEqual(pending, 1)
        }
    }

    /// RFC 9112 §9.6: a request that closes the connection is the last one the server reads,
    /// whether it is answered on the fast path or by the router.
    func testRequestsPipelinedAfterOneThatClosesTheConnectionGoUnanswered() async throws {
        try await APIHarness.run { api in
            let (project, key) = try await api.createProject()
            for last in [
                Self.receipt(key, event: "evt_last", extraHeaders: "Connection: close\r\n"),
                Self.receipt(key, event: "evt_last_http10").replacingOccurrences(of: "HTTP/1.1\r\n", with: "HTTP/1.0\r\n"),
                "GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
            ] {
                let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
                try await connection.send(last + Self.receipt(key, event: "evt_behind") + "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
                let answer = try await Self.nextAnswer(connection)
                XCTAssertLessThan(answer.status, 300)
                let closed = await connection.serverCloses()
                XCTAssertTrue(closed, "the server closes the connection after the last request's answer")
                let more = await connection.readResponse()
                XCTAssertNil(more, "nothing pipelined behind it is answered")
            }
            let pending = try await api.pendingReceipts(project: project)
            XCTAssertEqual(pending, 2, "only the receipts that closed their connections were applied")
        }
    }

    func testHTTP10WithoutKeepAliveIsAnsweredThenClosed() async throws {
        try await APIHarness.run { api in
            let (project, key) = try await api.createProject()
            let receipt = Self.receipt(key, event: "evt_http10").replacingOccurrences(of: "HTTP/1.1\r\n", with: "HTTP/1.0\r\n")
            for request in [receipt, "GET /healthz HTTP/1.0\r\n\r\n"] {
                let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
                try await connection.send(request)
                let answer = try await Self.nextAnswer(connection)
                XCTAssertLessThan(answer.status, 300, request)
                XCTAssertEqual(answer.header("Connection"), "close", request)
                let closed = await connection.serverCloses()
                XCTAssertTrue(closed, "an HTTP/1.0 connection without keep-alive ends with its answer")
            }
            // With keep-alive asked for, every answer says the connection stays, and it does.
            let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
            try await connection.send(receipt.replacingOccurrences(of: "Host: test\r\n", with: "Host: test\r\nConnection: keep-alive\r\n"))
            let kept = try await Self.nextAnswer(connection)
            XCTAssertEqual(kept.status, 202)
            XCTAssertEqual(kept.header("Connection"), "keep-alive")
            try await connection.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let keptByTheRouter = try await Self.nextAnswer(connection)
            XCTAssertEqual(keptByTheRouter.status, 200)
            XCTAssertEqual(keptByTheRouter.header("Connection"), "keep-alive")
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            let next = try await Self.nextAnswer(connection)
            XCTAssertEqual(next.status, 200)
            XCTAssertNil(next.header("Connection"), "HTTP/1.1 keeps the connection without being told")
            await connection.close()
            let pending = try await api.pendingReceipts(project: project)
            XCTAssertEqual(pending, 1, "the same receipt, sent twice")
        }
    }

    /// The idle time-out sees the fast path's requests (the handler that keeps it sits below the
    /// fast path): a connection that keeps sending receipts, and nothing else, for longer than
    /// the time-out stays open, then closes once idle. How it counts requests is pinned on a
    /// manual clock in `ConnectionStateHandlerTests`.
    func testAConnectionBusyWithReceiptsOutlivesTheIdleTimeout() async throws {
        var settings = ServerSettings()
        settings.limits.idleTimeout = .seconds(1)
        try await APIHarness.run(settings: settings) { api in
            let (_, key) = try await api.createProject()
            let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
            let busyUntil = ContinuousClock.now + .seconds(3)
            var sent = 0
            while ContinuousClock.now < busyUntil {
                try await connection.send(Self.receipt(key, event: "evt_busy_\(sent)"))
                sent += 1
                let answer = try await Self.nextAnswer(connection)
                XCTAssertEqual(answer.status, 202, "receipt \(sent) answered on the same connection")
            }
            let closed = await connection.serverCloses()
            XCTAssertTrue(closed, "closed once idle")
        }
    }

    func testABodyOverTheLimitInPiecesIsRefusedAndTheConnectionGoesOn() async throws {
        var settings = ServerSettings()
        settings.maximumBodyBytes = 1024
        try await APIHarness.run(settings: settings) { api in
            let (project, key) = try await api.createProject()
            let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
            // Chunked, so no Content-Length gives the size away: 3 chunks of 600 bytes.
            let chunk = String(repeating: " ", count: 600)
            try await connection.send(
                "POST /api/v1/receipt HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(key)\r\nAccept: application/json\r\n"
                    + "Content-Type: application/json\r\nIdempotency-Key: big\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<3 { try await connection.send("258\r\n\(chunk)\r\n") }
            try await connection.send("0\r\n\r\n")
            let refused = try await Self.nextAnswer(connection)
            XCTAssertEqual(refused.status, 413)
            XCTAssertEqual(refused.json?["error"]?["code"], .string("payload_too_large"))

            try await connection.send(Self.receipt(key, event: "evt_after"))
            let accepted = try await Self.nextAnswer(connection)
            XCTAssertEqual(accepted.status, 202)
            await connection.close()
            let pending = try await api.pendingReceipts(project: project)
            XCTAssertEqual(pending, 1, "the refused receipt left nothing behind")
        }
    }

    func testARateLimitedReceiptTellsWhenToComeBack() async throws {
        try await APIHarness.run(quota: IngestQuota(rate: .init(perSecond: 1, burst: 1))) { api in
            let (_, key) = try await api.createProject()
            let connection = try await RawConnection.connect(port: try XCTUnwrap(api.client.port))
            try await connection.send(Self.receipt(key, event: "evt_first") + Self.receipt(key, event: "evt_second"))
            let first = try await Self.nextAnswer(connection)
            let second = try await Self.nextAnswer(connection)
            await connection.close()
            XCTAssertEqual(first.status, 202)
            XCTAssertEqual(second.status, 429)
            XCTAssertEqual(second.json?["error"]?["code"], .string("rate_limited"))
            XCTAssertEqual(second.header("Retry-After"), "1")
        }
    }
}
