import NIOCore
import NIOEmbedded
@testable import SendPromptlyHTTP
import XCTest

/// The request timeout on a manual clock (`EmbeddedEventLoop`): a request's clock starts with
/// its first byte and stops when it has arrived in full, each request has its own, and nothing
/// closes a connection between requests.
final class RequestDeadlineHandlerTests: XCTestCase {
    private let timeout = TimeAmount.seconds(10)
    private var channel: EmbeddedChannel!
    private var handler: RequestDeadlineHandler!

    override func setUpWithError() throws {
        handler = RequestDeadlineHandler(timeout: timeout)
        channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
    }

    override func tearDown() {
        _ = try? channel.finish()
    }

    private func receiveBytes() throws {
        try channel.writeInbound(ByteBuffer(string: "POST / HTTP/1.1\r\n"))
        XCTAssertNotNil(try channel.readInbound(as: ByteBuffer.self), "the bytes go on to the decoder")
    }

    private func advance(to seconds: Int64, nanoseconds: Int64 = 0) {
        channel.embeddedEventLoop.advanceTime(to: .uptimeNanoseconds(UInt64(seconds * 1_000_000_000 + nanoseconds)))
    }

    /// The connection is open a nanosecond before `seconds` and closed at `seconds`.
    private func assertClosed(at seconds: Int64, _ message: String, line: UInt = #line) {
        advance(to: seconds - 1, nanoseconds: 999_999_999)
        XCTAssertTrue(channel.isActive, "open until then", line: line)
        advance(to: seconds)
        XCTAssertFalse(channel.isActive, message, line: line)
    }

    func testARequestNotInByItsDeadlineClosesTheConnectionThenAndNotBefore() throws {
        try receiveBytes()
        advance(to: 5)
        try receiveBytes()  // more of the same request: its clock goes on
        assertClosed(at: 10, "closed at the first byte's time plus the timeout")
    }

    func testEachRequestHasItsOwnClock() throws {
        try receiveBytes()
        advance(to: 1)
        handler.requestFullyRead()
        advance(to: 9)
        try receiveBytes()  // the next request starts at 9 s
        advance(to: 10)
        XCTAssertTrue(channel.isActive, "the first request's deadline passed, but it had arrived")
        assertClosed(at: 19, "closed at the second request's own deadline")
    }

    func testNothingClosesBetweenRequestsAndTheNextRequestIsTimedAgain() throws {
        try receiveBytes()
        handler.requestFullyRead()
        advance(to: 100)
        XCTAssertTrue(channel.isActive, "idle time is the idle timeout's concern")
        try receiveBytes()
        assertClosed(at: 110, "a request after a quiet spell has a deadline again")
    }
}
