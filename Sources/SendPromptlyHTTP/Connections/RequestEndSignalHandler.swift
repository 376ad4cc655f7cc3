import NIOCore
import NIOHTTPTypes

/// Tells the ``RequestDeadlineHandler`` in front of the HTTP decoder that a request has arrived
/// in full. Sits after the decoder, where request parts are known.
final class RequestEndSignalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            context.triggerUserOutboundEvent(RequestFullyRead(), promise: nil)
        }
        context.fireChannelRead(data)
    }
}
