import NIOCore
import SendPromptlyMail
import XCTest

/// Connections that fail, hang or are given up: errors are transient and the socket is closed.
final class SMTPConnectionTests: XCTestCase {
    func testConnectionRefusedIsTransient() async throws {
        let port = try await SilentServer.closedPort()
        let client = try SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none))
        do {
            _ = try await client.send(Fixtures.message())
            XCTFail("sent")
        } catch let error as SMTPError {
            guard case .connectionFailed(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.lowercased().contains("refused"), reason)
            XCTAssertTrue(error.isTransient)
        }
    }

    func testAServerThatNeverGreetsTimesOutWithinTheStepTimeout() async throws {
        let server = try await SilentServer()
        let client = try SMTPClient(configuration: SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: .none, stepTimeout: .milliseconds(500)))
        let start = ContinuousClock.now
        do {
            _ = try await client.send(Fixtures.message())
            XCTFail("sent")
        } catch let error as SMTPError {
            let elapsed = ContinuousClock.now - start
            XCTAssertEqual(error, .timeout(step: "greeting", after: .milliseconds(500)))
            XCTAssertTrue(error.isTransient)
            XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(500))
            XCTAssertLessThan(elapsed, .seconds(3))
        }
        // The client closed its side: the server's connection ends.
        try await server.firstConnection().closeFuture.get()
        try await server.close()
    }

    func testCancellationClosesTheConnectionAtOnce() async throws {
        let server = try await SilentServer()
        let client = try SMTPClient(configuration: SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: .none, stepTimeout: .seconds(60)))
        let sending = Task { try await client.send(Fixtures.message()) }
        let connection = try await server.firstConnection()
        let start = ContinuousClock.now
        sending.cancel()
        do {
            _ = try await sending.value
            XCTFail("sent")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        try await connection.closeFuture.get()
        try await server.close()
    }
}
