import SendPromptlyMail
import XCTest

/// What a scripted server makes happen that aiosmtpd does not: an old server without EHLO,
/// replies injected after STARTTLS, a server that speaks no SMTP.
final class SMTPProtocolTests: XCTestCase {
    private func client(_ server: ScriptedServer, security: SMTPConfiguration.Security = .none) throws -> SMTPClient {
        try SMTPClient(configuration: SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: security,
            trustedCAFile: security == .none ? nil : try TestCertificate.certificate, heloName: "client.test",
            stepTimeout: .seconds(10)))
    }

    func testFallsBackToHELOWhenEHLOIsRefused() async throws {
        let server = try await ScriptedServer(answer: ScriptedServer.plainAnswers(ehlo: "502 5.5.1 EHLO not implemented\r\n"))
        let report = try await client(server).send(Fixtures.message())
        XCTAssertEqual(report.reply.description, "250 queued")
        XCTAssertEqual(Array(server.received.prefix(4)), [
            "EHLO client.test", "HELO client.test", "MAIL FROM:<alerts@sendpromptly.test>", "RCPT TO:<ops@example.test>",
        ])
        XCTAssertEqual(server.received.suffix(2), [".", "QUIT"])
        try await server.close()
    }

    func testRepliesInjectedAfterTheSTARTTLSAnswerAreRefused() async throws {
        let server = try await ScriptedServer { line in
            switch line {
            case "EHLO client.test": "250-scripted.test\r\n250 STARTTLS\r\n"
            // A man in the middle appends plaintext that would be read as if it came over TLS.
            case "STARTTLS": "220 go ahead\r\n250-scripted.test\r\n250 AUTH PLAIN\r\n"
            default: "250 OK\r\n"
            }
        }
        do {
            _ = try await client(server, security: .startTLSRequired).send(Fixtures.message())
            XCTFail("sent")
        } catch let error as SMTPError {
            guard case .protocolViolation = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.isPermanent)
        }
        XCTAssertEqual(server.received, ["EHLO client.test", "STARTTLS"])
        try await server.close()
    }

    func testAConnectionDroppedDuringTheTLSHandshakeIsTransient() async throws {
        let server = try await ScriptedServer(closeAfter: "STARTTLS") { line in
            line == "STARTTLS" ? "220 go ahead\r\n" : "250-scripted.test\r\n250 STARTTLS\r\n"
        }
        do {
            _ = try await client(server, security: .startTLSRequired).send(Fixtures.message())
            XCTFail("sent")
        } catch let error as SMTPError {
            guard case .connectionFailed = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.isTransient)
        }
        try await server.close()
    }

    func testAServerThatSpeaksNoSMTPIsAPermanentProtocolViolation() async throws {
        let server = try await ScriptedServer(greeting: "HTTP/1.1 400 Bad Request\r\n") { _ in "" }
        do {
            _ = try await client(server).send(Fixtures.message())
            XCTFail("sent")
        } catch let error as SMTPError {
            XCTAssertEqual(error, .protocolViolation("the server sent a line that is no SMTP reply: \"HTTP/1.1 400 Bad Request\""))
            XCTAssertTrue(error.isPermanent)
        }
        try await server.close()
    }

    func testAGreetingThatRefusesServiceIsRejected() async throws {
        let server = try await ScriptedServer(greeting: "554 5.3.2 no service here\r\n", answer: ScriptedServer.plainAnswers())
        do {
            _ = try await client(server).send(Fixtures.message())
            XCTFail("sent")
        } catch let error as SMTPError {
            XCTAssertEqual(error, .rejected(command: "the connection", reply: SMTPReply(code: 554, lines: ["5.3.2 no service here"])))
            XCTAssertTrue(error.isPermanent)
        }
        XCTAssertEqual(server.received, ["QUIT"])
        try await server.close()
    }
}
