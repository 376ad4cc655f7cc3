import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 channel held to ``HTTPLimits``: connection admission and the request
/// deadline in front of the HTTP decoder, the decoder's header limits, the 431 answer, and the
/// idle timeout. Generic over nothing: wrap it (TLS, say) like any `ServerChildChannel`, and
/// the limits still apply to the decrypted bytes.
///
/// Right after the decoder, on NIO's HTTP/1 parts, come the request deadline's end signal and
/// ``ConnectionStateHandler`` (in place of Hummingbird's, which sits above the HTTP-types
/// codec): handlers added between them and the codec (``IngestChannelHandler``) may answer
/// requests themselves, and those requests count for the deadline, the idle timeout and
/// quiescing like the router's.
struct LimitedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    private let base: HTTP1Channel
    private let limits: HTTPLimits
    private let counter: ConnectionCounter

    init(responder: @escaping HTTPChannelHandler.Responder, limits: HTTPLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maximumHeaderBytes, maxHeaderListSize: limits.maximumHeaderBytes,
            maxHeaderFieldCount: limits.maximumHeaderCount)
        self.base = HTTP1Channel(
            responder: responder,
            configuration: .init(
                // ``IngestChannelHandler`` reads and answers its calls under these handlers:
                // they see neither those requests nor their answers (one that compresses or adds
                // fields would miss them).
                additionalChannelHandlers: [HeaderOverflowResponder()],
                // Kept by ``ConnectionStateHandler``; Hummingbird's handler is taken out.
                idleTimeout: nil,
                httpDecoderConfiguration: decoder))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let counter = counter
        let timeout = TimeAmount(limits.requestTimeout)
        let idleTimeout = TimeAmount(limits.idleTimeout)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionAdmissionHandler(counter: counter))
            try channel.pipeline.syncOperations.addHandler(RequestDeadlineHandler(timeout: timeout))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let deadline = try pipeline.handler(type: RequestDeadlineHandler.self)
            let codec = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            pipeline.removeHandler(context: try pipeline.context(handlerType: HTTPConnectionStateHandler.self), promise: nil)
            try pipeline.addHandler(RequestEndSignalHandler(deadline: deadline), position: .before(codec))
            try pipeline.addHandler(ConnectionStateHandler(idleTimeout: idleTimeout), position: .before(codec))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 held to `limits`, one ``ConnectionCounter`` for all its connections, with
    /// receipts and results answered on the event loop (``IngestChannel``).
    static func limitedHTTP1(_ limits: HTTPLimits, ingest front: IngestChannelHandler.Front) -> HTTPServerBuilder {
        let counter = ConnectionCounter(
            maximumTotal: limits.maximumConnections, maximumPerAddress: limits.maximumConnectionsPerAddress)
        return HTTPServerBuilder { responder in
            IngestChannel(base: LimitedHTTP1Channel(responder: responder, limits: limits, counter: counter), front: front)
        }
    }
}
