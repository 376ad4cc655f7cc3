import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import SendPromptlyHTTP
import XCTest

/// The idle time-out and quiescing on a manual clock (`EmbeddedEventLoop`): a request counts from
/// its head read to its answer's end written, whichever handler above answers it, and neither
/// rule closes a connection while a request is being answered.
final class ConnectionStateHandlerTests: XCTestCase {
    private var channel: EmbeddedChannel!

    override func setUpWithError() throws {
        channel = EmbeddedChannel(handler: ConnectionStateHandler(idleTimeout: .seconds(60)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
    }

    override func tearDown() {
        _ = try? channel.finish()
    }

    private func advance(to seconds: Int64) {
        channel.embeddedEventLoop.advanceTime(to: .uptimeNanoseconds(UInt64(seconds) * 1_000_000_000))
    }

    private func read(_ part: HTTPServerRequestPart) throws {
        try channel.writeInbound(part)
        XCTAssertNotNil(try channel.readInbound(as: HTTPServerRequestPart.self), "every part goes on up")
    }

    private func readRequest() throws {
        try read(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/api/v1/receipt")))
        try read(.end(nil))
    }

    private func answer() throws {
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .accepted)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
    }

    func testAnIdleConnectionClosesAtTheTimeoutAndNotBefore() {
        advance(to: 59)
        XCTAssertTrue(channel.isActive)
        advance(to: 60)
        XCTAssertFalse(channel.isActive, "closed 60 s after it opened with nothing read")
    }

    func testARequestBeingAnsweredKeepsTheConnectionAndTheTimeoutCountsFromItsAnswer() throws {
        advance(to: 10)
        try readRequest()
        advance(to: 200)
        XCTAssertTrue(channel.isActive, "an answer still being made is not idleness")
        try answer()
        advance(to: 259)
        XCTAssertTrue(channel.isActive)
        advance(to: 260)
        XCTAssertFalse(channel.isActive, "closed 60 s after the answer's end")
    }

    func testEveryPartReadRestartsTheIdleCount() throws {
        advance(to: 50)
        try read(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/api/v1/receipt")))
        advance(to: 100)
        try read(.body(ByteBuffer(string: "{}")))
        advance(to: 159)
        XCTAssertTrue(channel.isActive, "a request still arriving counts from its last part")
        advance(to: 160)
        XCTAssertFalse(channel.isActive, "its arrival is the request timeout's business past that")
    }

    func testQuiescingClosesAnIdleConnectionAtOnce() {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        XCTAssertFalse(channel.isActive)
    }

    func testQuiescingClosesRightAfterTheLastAnswerInProgress() throws {
        try readRequest()
        try readRequest()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        XCTAssertTrue(channel.isActive, "two requests are being answered")
        try answer()
        XCTAssertTrue(channel.isActive, "one is still being answered")
        try answer()
        XCTAssertFalse(channel.isActive, "closed after the last answer")
        XCTAssertNotNil(try channel.readOutbound(as: HTTPServerResponsePart.self), "the answers were written")
    }

    func testAnAnswerToNoRequestReadEndsNone() throws {
        // A 431 for headers the decoder gave up on: no head came through.
        try answer()
        try readRequest()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        XCTAssertTrue(channel.isActive, "the request read since is still in progress")
        try answer()
        XCTAssertFalse(channel.isActive)
    }
}
