import Foundation
import SendPromptlyMail
import XCTest

/// Messages delivered to a real SMTP server (aiosmtpd), read back by Python's email package.
final class SMTPDeliveryTests: XCTestCase {
    func testDeliversEveryHeaderAndBothPartsIntact() async throws {
        let server = try await SMTPTestServer()
        let subject = "Zahlung nicht angewendet – Bestellung #42 ✅ " + String(repeating: "Ünïcödé ", count: 8)
        let text = """
            Incident inc_01: payment evt_1 was paid but never applied.
            .leading dot survives
            .
            ..two dots
            trailing blanks\u{20}\u{20}
            \(String(repeating: "long line ", count: 60))
            Ünïcödé ✓ = 100%
            """
        let html = "<p>Incident <b>inc_01</b> — Ünïcödé</p>\n.<p>dot</p>\n"
        let message = try MailMessage(
            from: MailAddress("alerts@sendpromptly.test", displayName: "SendPromptly Alerts"),
            to: [MailAddress("ops@example.test", displayName: "Öps Team"), MailAddress("oncall@example.test")],
            subject: subject, textBody: text, htmlBody: html,
            headers: ["X-SendPromptly-Incident": "inc_01"],
            date: Date(timeIntervalSince1970: 1_751_362_200))

        let report = try await SMTPClient(configuration: Fixtures.configuration(server)).send(message)

        XCTAssertEqual(report.accepted, message.to)
        XCTAssertEqual(report.rejected, [])
        XCTAssertEqual(report.reply, SMTPReply(code: 250, lines: ["2.0.0 Ok: queued as M1"]))
        let received = try await server.message()
        XCTAssertEqual(received.mailFrom, "alerts@sendpromptly.test")
        XCTAssertEqual(received.rcptTos, ["ops@example.test", "oncall@example.test"])
        XCTAssertFalse(received.tls)
        XCTAssertEqual(received.defects, [])

        XCTAssertEqual(received.header("Date"), "Tue, 01 Jul 2025 09:30:00 +0000")
        XCTAssertEqual(received.header("Message-ID"), "<\(message.messageID)>")
        XCTAssertTrue(message.messageID.hasSuffix("@sendpromptly.test"))
        XCTAssertEqual(received.header("From"), "SendPromptly Alerts <alerts@sendpromptly.test>")
        XCTAssertEqual(received.header("To"), "Öps Team <ops@example.test>, oncall@example.test")
        XCTAssertEqual(received.header("Subject"), subject)
        XCTAssertEqual(received.header("MIME-Version"), "1.0")
        XCTAssertEqual(received.header("X-SendPromptly-Incident"), "inc_01")
        XCTAssertEqual(received.contentType, "multipart/alternative")

        XCTAssertEqual(received.parts.map(\.contentType), ["text/plain", "text/html"])
        for part in received.parts {
            XCTAssertEqual(part.charset, "utf-8")
            XCTAssertEqual(part.transferEncoding, "quoted-printable")
            XCTAssertEqual(part.defects, [])
        }
        XCTAssertEqual(received.parts[0].content.replacingOccurrences(of: "\r\n", with: "\n"), text)
        XCTAssertEqual(received.parts[1].content.replacingOccurrences(of: "\r\n", with: "\n"), html)

        // On the wire: 7-bit, CRLF only, short lines, and the dot lines as they were.
        let data = received.data
        XCTAssertTrue(data.utf8.allSatisfy { $0 < 0x80 })
        XCTAssertFalse(data.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        XCTAssertTrue(data.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        XCTAssertTrue(data.contains("\r\n.leading dot survives\r\n.\r\n..two dots\r\n"))
        XCTAssertTrue(data.contains("\r\n.<p>dot</p>\r\n"))
    }

    func testSendsToEachRecipientOverOneConnectionPerMessage() async throws {
        let server = try await SMTPTestServer()
        let client = try SMTPClient(configuration: Fixtures.configuration(server))
        for number in 1...3 {
            _ = try await client.send(Fixtures.message(to: ["a\(number)@example.test"]))
        }
        let third = try await server.message(3)
        XCTAssertEqual(third.rcptTos, ["a3@example.test"])
        XCTAssertEqual(server.messageCount, 3)
    }

    func testDeliversToTheAcceptedRecipientAndReportsTheRejectedOne() async throws {
        let server = try await SMTPTestServer(["--reject-recipient", "gone@example.test"])
        let message = try Fixtures.message(to: ["gone@example.test", "ops@example.test"])

        let report = try await SMTPClient(configuration: Fixtures.configuration(server)).send(message)

        XCTAssertEqual(report.accepted.map(\.address), ["ops@example.test"])
        XCTAssertEqual(report.rejected.map(\.recipient.address), ["gone@example.test"])
        let rejection = try XCTUnwrap(report.rejected.first)
        XCTAssertEqual(rejection.reply.code, 550)
        XCTAssertEqual(rejection.reply.enhancedStatusCode, "5.1.1")
        XCTAssertEqual(
            rejection.description,
            "gone@example.test: 550 5.1.1 <gone@example.test>: Recipient address rejected: User unknown")
        let received = try await server.message()
        XCTAssertEqual(received.rcptTos, ["ops@example.test"])
    }

    func testEveryRecipientRejectedIsAPermanentError() async throws {
        let server = try await SMTPTestServer(["--reject-recipient", "a@example.test", "--reject-recipient", "b@example.test"])
        let client = try SMTPClient(configuration: Fixtures.configuration(server))
        do {
            _ = try await client.send(Fixtures.message(to: ["a@example.test", "b@example.test"]))
            XCTFail("sent")
        } catch let error as SMTPError {
            guard case .allRecipientsRejected(let rejections) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(rejections.map(\.reply.code), [550, 550])
            XCTAssertTrue(error.isPermanent)
            XCTAssertTrue("\(error)".contains("550 5.1.1 <b@example.test>: Recipient address rejected"), "\(error)")
        }
        XCTAssertEqual(server.messageCount, 0)
    }

    func testTemporaryFailureIsTransientWithTheServersText() async throws {
        let server = try await SMTPTestServer(["--fail-mail-from"])
        let client = try SMTPClient(configuration: Fixtures.configuration(server))
        do {
            _ = try await client.send(Fixtures.message())
            XCTFail("sent")
        } catch let error as SMTPError {
            XCTAssertEqual(error, .rejected(command: "MAIL FROM", reply: SMTPReply(code: 451, lines: ["4.3.0 Temporary local problem, try again later"])))
            XCTAssertTrue(error.isTransient)
            XCTAssertEqual("\(error)", "the server rejected MAIL FROM: 451 4.3.0 Temporary local problem, try again later")
        }
    }
}
