import NIOCore
import NIOHTTP1

/// Tells its connection's ``RequestDeadlineHandler``, which sits in front of the HTTP decoder,
/// that a request has arrived in full. Sits right after the decoder, where request parts are
/// known and every request passes, whoever answers it.
final class RequestEndSignalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart

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
