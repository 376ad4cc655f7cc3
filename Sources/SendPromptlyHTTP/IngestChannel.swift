import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// An HTTP/1.1 connection (`base`) with ``IngestChannelHandler`` in front of the router.
///
/// The handler goes right under the HTTP-types codec, after ``ConnectionStateHandler``, so
/// that idle time-outs, the close after quiescing and the count of requests in flight cover
/// the requests it answers as well as the router's; the limits in front of the decoder
/// (``LimitedHTTP1Channel``) cover both alike.
struct IngestChannel<Base: ServerChildChannel>: ServerChildChannel
where Base.Value == NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart> {
    let base: Base
    let front: IngestChannelHandler.Front

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let connectionState = try pipeline.handler(type: ConnectionStateHandler.self)
            try pipeline.addHandler(IngestChannelHandler(front: front), position: .after(connectionState))
            return value
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
