import NIOCore
import NIOHTTPTypes

/// Tells its connection's ``RequestDeadlineHandler``, which sits in front of the HTTP decoder,
/// that a request has arrived in full. Sits after the decoder, where request parts are known.
final class RequestEndSignalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    private let deadline: RequestDeadlineHandler

    init(deadline: RequestDeadlineHandler) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            deadline.requestFullyRead()
        }
        context.fireChannelRead(data)
    }
}
