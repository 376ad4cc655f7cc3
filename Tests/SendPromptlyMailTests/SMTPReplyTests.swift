@testable import SendPromptlyMail
import NIOCore
import NIOEmbedded
import XCTest

/// Reading the server: lines from bytes, replies from lines.
final class SMTPReplyTests: XCTestCase {
    private func parse(_ lines: [String]) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        return try lines.compactMap { try parser.consume($0) }
    }

    func testSingleAndMultiLineReplies() throws {
        let replies = try parse([
            "220 smtp.test ESMTP ready",
            "250-smtp.test", "250-SIZE 33554432", "250-AUTH PLAIN LOGIN", "250 HELP",
            "354",
        ])
        XCTAssertEqual(replies, [
            SMTPReply(code: 220, lines: ["smtp.test ESMTP ready"]),
            SMTPReply(code: 250, lines: ["smtp.test", "SIZE 33554432", "AUTH PLAIN LOGIN", "HELP"]),
            SMTPReply(code: 354, lines: [""]),
        ])
        XCTAssertTrue(replies[1].isPositiveCompletion)
        XCTAssertTrue(replies[2].isPositiveIntermediate)
        XCTAssertEqual(replies[2].description, "354")
    }

    func testKeepsTheEnhancedStatusAndTheServersText() throws {
        let reply = try XCTUnwrap(parse(["550 5.1.1 <x@y.test>: Recipient address rejected"]).first)
        XCTAssertEqual(reply.code, 550)
        XCTAssertEqual(reply.enhancedStatusCode, "5.1.1")
        XCTAssertEqual(reply.description, "550 5.1.1 <x@y.test>: Recipient address rejected")
        XCTAssertTrue(reply.isPermanentFailure)

        let multi = try XCTUnwrap(parse(["451-4.3.0 Temporary failure", "451 4.3.0 try again later"]).first)
        XCTAssertTrue(multi.isTransientFailure)
        XCTAssertEqual(multi.description, "451 4.3.0 Temporary failure 4.3.0 try again later")
        XCTAssertNil(try XCTUnwrap(parse(["250 OK"]).first).enhancedStatusCode)
        XCTAssertNil(try XCTUnwrap(parse(["250 2.x.0 OK"]).first).enhancedStatusCode)
    }

    func testRefusesLinesThatAreNoReply() {
        for lines in [["hello"], ["25"], ["250x"], ["650 no such class"], ["2500 too long"], ["250-a", "251 b"], [" 250 OK"]] {
            XCTAssertThrowsError(try parse(lines), "\(lines)") { error in
                guard case .protocolViolation = error as? SMTPError else { return XCTFail("\(error)") }
            }
        }
        let endless = Array(repeating: "250-more", count: SMTPReplyParser.maximumLines + 1)
        XCTAssertThrowsError(try parse(endless))
    }

    func testLineDecoderSplitsChunksAndCountsWhatItHolds() throws {
        let decoder = SMTPLineDecoder()
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(decoder))
        try channel.writeInbound(ByteBuffer(string: "220 rea"))
        XCTAssertNil(try channel.readInbound(as: String.self))
        XCTAssertEqual(decoder.bytesBuffered, 7)
        try channel.writeInbound(ByteBuffer(string: "dy\r\n250-a\n250 b\r\n25"))
        XCTAssertEqual(try channel.readInbound(as: String.self), "220 ready")
        XCTAssertEqual(try channel.readInbound(as: String.self), "250-a")
        XCTAssertEqual(try channel.readInbound(as: String.self), "250 b")
        XCTAssertEqual(decoder.linesDecoded, 3)
        XCTAssertEqual(decoder.bytesBuffered, 2)
    }

    func testLineDecoderRefusesEndlessLines() {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPLineDecoder()))
        let long = ByteBuffer(string: String(repeating: "x", count: SMTPLineDecoder.maximumLineLength + 1))
        XCTAssertThrowsError(try channel.writeInbound(long)) { error in
            guard case .protocolViolation = error as? SMTPError else { return XCTFail("\(error)") }
        }
    }
}
