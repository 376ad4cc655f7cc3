import Foundation
import XCTest

/// Graceful shutdown with the real binary: a request in flight finishes, the final snapshot
/// covers everything, a second signal or the shutdown timeout exits at once, and a restart
/// recovers all that was acknowledged.
final class ShutdownTests: XCTestCase {
    private var dataDirectory: URL!

    override func setUp() {
        dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sendpromptly-shutdown-\(UUID().uuidString)")
            .appendingPathComponent("data")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dataDirectory.deletingLastPathComponent())
    }

    /// A server with a project and, on one connection, a receipt whose head the server has read
    /// and whose body is half-sent: a `GET /healthz` pipelined before it in the same write has
    /// been answered, so the server counts the receipt as in progress.
    private struct InFlight {
        let server: ServerProcess
        let url: String
        let port: Int
        let key: String
        let connection: RawConnection
        let remainder: String
    }

    private func startWithReceiptInFlight(_ arguments: [String] = []) async throws -> InFlight {
        let (server, url) = try await Durability.start(dataDirectory, arguments)
        let key = try await Durability.createProject(url)
        let port = try XCTUnwrap(url.split(separator: ":").last.flatMap { Int($0) })
        let body = Durability.receiptBody("evt_in_flight")
        let head = "POST /api/v1/receipt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n"
            + "Accept: application/json\r\nContent-Type: application/json\r\nIdempotency-Key: in-flight-1\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n"
        let half = body.index(body.startIndex, offsetBy: body.count / 2)
        let connection = try XCTUnwrap(RawConnection(port: port))
        connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + head + body[..<half])
        let health = connection.read(until: #""ok"}"#)
        XCTAssertTrue(health.hasPrefix("HTTP/1.1 200"), health)
        return InFlight(server: server, url: url, port: port, key: key, connection: connection, remainder: String(body[half...]))
    }

    /// SIGTERM, then waits until the server no longer accepts connections.
    private func beginShutdown(_ inFlight: InFlight) async throws {
        inFlight.server.signal(SIGTERM)
        try await eventually("the server to stop accepting connections") { RawConnection(port: inFlight.port) == nil }
    }

    func testARequestInFlightAtSIGTERMCompletesAndTheFinalSnapshotHoldsIt() async throws {
        let inFlight = try await startWithReceiptInFlight()
        try await beginShutdown(inFlight)

        inFlight.connection.send(inFlight.remainder)
        let answer = inFlight.connection.read(until: "}")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 202"), "the receipt in flight is answered: \(answer)")
        let eventID = try XCTUnwrap(answer.range(of: #"ev_[0-9A-Za-z]+"#, options: .regularExpression).map { String(answer[$0]) })
        let status = try await inFlight.server.waitForExit()
        XCTAssertEqual(status, 0, inFlight.server.standardError)

        // The final snapshot covers every record: the journal segment after it is empty.
        let snapshot = try XCTUnwrap(try Durability.snapshots(in: dataDirectory).last)
        let newestSegment = try XCTUnwrap(try Durability.segments(in: dataDirectory).last)
        XCTAssertEqual(
            snapshot.dropFirst("snapshot-".count).dropLast(".snap".count),
            newestSegment.dropFirst("journal-".count).dropLast(".log".count),
            "the newest journal segment starts where the final snapshot ends")
        let (restarted, url) = try await Durability.start(dataDirectory, ["--log-level", "info"])
        try await restarted.waitForError(containing: "journal_records=0")
        let event = try await HTTP.send(.GET, "\(url)/api/v1/events/\(eventID)", bearer: inFlight.key)
        XCTAssertEqual(event.status, 200, "the receipt answered during shutdown survives the restart")
        try await Durability.stop(restarted)
    }

    func testASecondSignalDuringShutdownExitsAtOnceAndLosesNothingAcknowledged() async throws {
        let inFlight = try await startWithReceiptInFlight()
        try await beginShutdown(inFlight)
        inFlight.server.signal(SIGINT)
        let status = try await inFlight.server.waitForExit()
        XCTAssertEqual(status, 1)
        XCTAssertTrue(inFlight.server.standardError.contains("exiting at once"), inFlight.server.standardError)

        // No final snapshot was written; the journal still has the project.
        let (restarted, url) = try await Durability.start(dataDirectory)
        let projects = try await HTTP.send(.GET, "\(url)/admin/v1/projects", bearer: Durability.adminToken)
        XCTAssertEqual((projects.body["projects"] as? [Any])?.count, 1)
        try await Durability.stop(restarted)
    }

    func testAShutdownThatOutlastsTheTimeoutExitsWithoutWaitingLonger() async throws {
        let inFlight = try await startWithReceiptInFlight(["--shutdown-timeout", "0.5"])
        try await beginShutdown(inFlight)
        // The receipt's body never comes: the timeout ends the wait.
        let status = try await inFlight.server.waitForExit()
        XCTAssertEqual(status, 1)
        XCTAssertTrue(inFlight.server.standardError.contains("--shutdown-timeout"), inFlight.server.standardError)
    }
}
