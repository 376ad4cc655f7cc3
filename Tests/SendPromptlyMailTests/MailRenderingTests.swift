@testable import SendPromptlyMail
import Foundation
import NIOCore
import XCTest

/// The message as text: headers, encodings, line lengths, and what cannot be injected.
/// (`SMTPDeliveryTests` checks the same rendering through a real server and Python's parser.)
final class MailRenderingTests: XCTestCase {
    func testRendersHeadersInOrderWithCRLFLineEndings() throws {
        let message = try MailMessage(
            from: MailAddress("alerts@sendpromptly.test", displayName: "Send \"Promptly\""),
            to: [MailAddress("ops@example.test"), MailAddress("oncall@example.test", displayName: "On Call")],
            subject: "Incident inc_01 opened", textBody: "text", htmlBody: "<p>html</p>",
            headers: ["X-SendPromptly-Incident": "inc_01", "X-Priority": "1"],
            date: Date(timeIntervalSince1970: 1_751_362_200), messageID: "abc123@sendpromptly.test")
        let text = message.rendered()
        let head = String(text[..<text.range(of: "\r\n\r\n")!.lowerBound])
        XCTAssertEqual(head, [
            "Date: Tue, 01 Jul 2025 09:30:00 +0000",
            "Message-ID: <abc123@sendpromptly.test>",
            "From: \"Send \\\"Promptly\\\"\" <alerts@sendpromptly.test>",
            "To: ops@example.test,",
            " \"On Call\" <oncall@example.test>",
            "Subject: Incident inc_01 opened",
            "MIME-Version: 1.0",
            "X-SendPromptly-Incident: inc_01",
            "X-Priority: 1",
            "Content-Type: multipart/alternative; boundary=\"\(message.boundary)\"",
        ].joined(separator: "\r\n"))
        XCTAssertTrue(text.hasSuffix("\r\n--\(message.boundary)--\r\n"))
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF")
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "no bare CR")
        XCTAssertTrue(text.contains("--\(message.boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ntext\r\n"))
        XCTAssertTrue(text.contains("--\(message.boundary)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>html</p>\r\n"))
    }

    func testGeneratedMessageIDUsesTheSendersDomain() throws {
        let first = try Fixtures.message()
        let second = try Fixtures.message()
        XCTAssertTrue(first.messageID.hasSuffix("@sendpromptly.test"))
        XCTAssertEqual(first.messageID.count, 32 + "@sendpromptly.test".count)
        XCTAssertNotEqual(first.messageID, second.messageID)
        XCTAssertTrue(first.rendered().contains("\r\nMessage-ID: <\(first.messageID)>\r\n"))
    }

    func testNonASCIISubjectBecomesEncodedWordsThatDecodeBack() throws {
        let subject = "Zahlung nicht angewendet – Bestellung #42 ✅ " + String(repeating: "äöü€😀", count: 12)
        let value = MIMEEncoding.unstructuredValue(subject, name: "Subject")
        let words = value.components(separatedBy: "\r\n ")
        XCTAssertGreaterThan(words.count, 1)
        var bytes: [UInt8] = []
        for word in words {
            XCTAssertLessThanOrEqual(word.count, 75)
            XCTAssertTrue(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="), word)
            let payload = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!
            XCTAssertNotNil(String(validating: Array(payload), as: UTF8.self), "each word holds whole characters")
            bytes += payload
        }
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), subject)
        XCTAssertEqual(MIMEEncoding.unstructuredValue("Plain ASCII", name: "Subject"), "Plain ASCII")
        XCTAssertTrue(MIMEEncoding.unstructuredValue("looks =?like?= a word", name: "Subject").hasPrefix("=?UTF-8?B?"))
        XCTAssertEqual(
            MIMEEncoding.mailbox(try MailAddress("a@b.test", displayName: "Jörg")), "=?UTF-8?B?SsO2cmc=?= <a@b.test>")
    }

    func testLineBreaksCannotInjectHeaders() throws {
        let message = try MailMessage(
            from: MailAddress("alerts@sendpromptly.test", displayName: "Alerts\r\nBcc: evil@attacker.test"),
            to: [MailAddress("ops@example.test")],
            subject: "Hello\r\nBcc: evil@attacker.test\n\nbody",
            textBody: "", htmlBody: "",
            headers: ["X-SendPromptly-Incident": "inc_01\r\nBcc: evil@attacker.test"])
        let text = message.rendered()
        let head = text[..<text.range(of: "\r\n\r\n")!.lowerBound]
        for line in head.components(separatedBy: "\r\n") {
            XCTAssertFalse(line.lowercased().hasPrefix("bcc"), line)
        }
        XCTAssertTrue(head.contains("\r\nSubject: Hello Bcc: evil@attacker.test body\r\n"))
        XCTAssertTrue(head.contains("\r\nX-SendPromptly-Incident: inc_01 Bcc: evil@attacker.test\r\n"))

        for address in ["ops@example.test\r\nBcc: evil@attacker.test", "ops@example.test>", "two words@x.test", "no-at-sign", "a@b@c", "@x.test", "x@", "jörg@x.test", ""] {
            XCTAssertThrowsError(try MailAddress(address), address)
        }
        let to = [try MailAddress("ops@example.test")]
        let from = try MailAddress("alerts@sendpromptly.test")
        for name in ["X-Bad:Name", "X-Bad\r\nBcc", "", "Subject", "content-type", "Message-ID", "X Space"] {
            XCTAssertThrowsError(
                try MailMessage(from: from, to: to, subject: "", textBody: "", htmlBody: "", headers: [name: "v"]), name)
        }
        XCTAssertThrowsError(try MailMessage(from: from, to: [], subject: "", textBody: "", htmlBody: ""))
        XCTAssertThrowsError(try MailMessage(from: from, to: to, subject: "", textBody: "", htmlBody: "", messageID: "<x@y>\r\nBcc: z"))
    }

    func testQuotedPrintableKeepsLinesShortAndRoundTrips() {
        let long = String(repeating: "0123456789 ", count: 40) + "=end"
        let text = "Ünïcödé ✓ line\n.leading dot\r\ntrailing blanks  \t\r" + long + "\n\nlast"
        let encoded = MIMEEncoding.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(line.count, 76, line)
            XCTAssertTrue(line.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, line)
            XCTAssertFalse(line.hasSuffix(" ") || line.hasSuffix("\t"), "blank at the end of \(line)")
        }
        XCTAssertTrue(encoded.hasPrefix("=C3=9Cn=C3=AFc=C3=B6d=C3=A9 =E2=9C=93 line\r\n.leading dot\r\ntrailing blanks  =09\r\n"))
        XCTAssertEqual(Self.decodeQuotedPrintable(encoded), text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").replacingOccurrences(of: "\n", with: "\r\n"))
    }

    func testEveryLineStaysWithin998OctetsWhateverTheInput() throws {
        let huge = String(repeating: "x", count: 10_000)
        let message = try MailMessage(
            from: MailAddress("alerts@sendpromptly.test", displayName: huge),
            to: (0..<200).map { try MailAddress("user\($0)@example.test") },
            subject: huge, textBody: huge, htmlBody: huge, headers: ["X-Long": huge])
        for line in message.rendered().components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(line.utf8.count, 998)
        }
    }

    func testDotStuffingDoublesLeadingDotsAndTerminates() {
        let stuffed = SMTPSession.dotStuffed(".first\r\nmiddle\r\n.\r\n..two\r\nlast.\r\n")
        XCTAssertEqual(String(buffer: stuffed), "..first\r\nmiddle\r\n..\r\n...two\r\nlast.\r\n.\r\n")
    }

    /// Quoted-printable back to text: soft breaks removed, `=XX` decoded.
    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "="), let byte = UInt8(String(decoding: input[index + 1...index + 2], as: UTF8.self), radix: 16) {
                bytes.append(byte)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
