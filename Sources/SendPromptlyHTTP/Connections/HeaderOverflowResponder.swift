import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request whose headers pass ``HTTPLimits/maximumHeaderBytes`` or
/// ``HTTPLimits/maximumHeaderCount`` with 431 `headers_too_large` in the wire contract's error
/// shape, then closes the connection: the HTTP decoder stops at the limit (so the headers are
/// never held in memory beyond it) and cannot read the connection further.
///
/// When the router is still answering an earlier request on the connection, the error is
/// passed on instead, and the server closes with a bare 400 after that answer. (Behind an
/// answer ``IngestChannelHandler`` writes, the error waits there until it is written, then
/// comes here: a 431.)
final class HeaderOverflowResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let error = APIError(
        .requestHeaderFieldsTooLarge, "headers_too_large", "the request's headers are larger or more numerous than the server accepts")

    private var unanswered = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { unanswered += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { unanswered -= 1 }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow, unanswered == 0 else {
            context.fireErrorCaught(error)
            return
        }
        let body = Self.error.body
        let head = HTTPResponse(
            status: Self.error.status,
            headerFields: [.contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }
}
