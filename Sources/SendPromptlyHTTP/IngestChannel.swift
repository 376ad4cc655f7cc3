import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 connection with ``IngestChannelHandler`` in front of the router.
///
/// The handler goes right after Hummingbird's connection-state handler, so that idle time-outs,
/// `Connection: close` after shutdown began (quiescing) and the count of requests in flight
/// cover the requests it answers as well as the router's.
struct IngestChannel: ServerChildChannel, HTTPChannelHandler {
    let base: HTTP1Channel
    let front: IngestChannelHandler.Front

    var responder: Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let connectionState = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(IngestChannelHandler(front: front), position: .after(connectionState))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with receipts and results answered on the event loop (``IngestChannel``).
    static func http1(configuration: HTTP1Channel.Configuration = .init(), ingest front: IngestChannelHandler.Front) -> HTTPServerBuilder {
        .init { responder in
            IngestChannel(base: HTTP1Channel(responder: responder, configuration: configuration), front: front)
        }
    }
}
