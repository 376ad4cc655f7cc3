import NIOCore
import NIOHTTP1
import NIOPosix

/// A response as the generator needs it: the status and the body bytes.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: ByteBuffer
}

/// Why a request got no response.
public enum ConnectionError: Error, CustomStringConvertible, Sendable {
    case closed
    case failed(String)

    public var description: String {
        switch self {
        case .closed: "the server closed the connection"
        case .failed(let reason): reason
        }
    }
}

/// One HTTP/1.1 keep-alive connection with at most one request in flight, on one event loop.
///
/// Requests go out as whole pre-encoded byte buffers (`RequestTemplate`); responses are parsed by
/// NIOHTTP1's response decoder. Every call must be made on `eventLoop` (the load driver runs
/// there); `request(_:)` may be called from anywhere. After the server closes the connection or
/// an error, the pending request fails with `ConnectionError` and so does every later one.
public final class HTTPConnection: @unchecked Sendable {
    public let eventLoop: any EventLoop
    private let channel: any Channel
    private let handler: ResponseHandler

    private init(channel: any Channel, handler: ResponseHandler) {
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.handler = handler
    }

    /// Connects to `host:port` on `eventLoop` with TCP_NODELAY.
    public static func connect(host: String, port: Int, on eventLoop: any EventLoop) -> EventLoopFuture<HTTPConnection> {
        ClientBootstrap(group: eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let handler = ResponseHandler()
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(PrebuiltRequestWriter())
                try pipeline.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                try pipeline.addHandler(handler)
                return HTTPConnection(channel: channel, handler: handler)
            }
    }

    /// Sends `request` (a whole encoded request) and calls `completion` on the event loop with
    /// its response. Only one request may be in flight. Call on `eventLoop`.
    public func send(_ request: ByteBuffer, completion: @escaping (Result<HTTPResponse, ConnectionError>) -> Void) {
        eventLoop.assertInEventLoop()
        if let error = handler.closedWith {
            completion(.failure(error))
            return
        }
        precondition(handler.pending == nil, "one request in flight per connection")
        handler.pending = completion
        // The decoder learns from the head that a response to a POST or GET is due (it needs
        // that to frame the response); the bytes themselves are the pre-encoded request.
        channel.write(HTTPClientRequestPart.head(Self.expectResponse), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(request)), promise: nil)
    }

    /// Sends `request` from any context and waits for its response.
    public func request(_ request: ByteBuffer) async throws -> HTTPResponse {
        let promise = eventLoop.makePromise(of: HTTPResponse.self)
        eventLoop.execute {
            self.send(request) { promise.completeWith($0.mapError { $0 as any Error }) }
        }
        return try await promise.futureResult.get()
    }

    /// Closes the connection; a request in flight fails with `ConnectionError.closed`.
    public func close() async {
        try? await channel.close()
    }

    private static let expectResponse = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
}

/// Passes the pre-encoded request bytes to the socket and drops the head part, which exists
/// only for the response decoder's bookkeeping.
private final class PrebuiltRequestWriter: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .body(.byteBuffer(let bytes)):
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .body(.fileRegion):
            preconditionFailure("the generator never sends files")
        case .head, .end:
            promise?.succeed(())
        }
    }
}

/// Collects one response (head, body parts, end) and hands it to the waiting request.
private final class ResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var pending: ((Result<HTTPResponse, ConnectionError>) -> Void)?
    private(set) var closedWith: ConnectionError?
    private var status = 0
    private var body: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body = nil
        case .body(var part):
            if body == nil {
                body = part
            } else {
                body!.writeBuffer(&part)
            }
        case .end:
            let response = HTTPResponse(status: status, body: body ?? ByteBuffer())
            body = nil
            let completion = pending
            pending = nil
            completion?(.success(response))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.failed("\(error)"))
        context.close(promise: nil)
    }

    private func fail(_ error: ConnectionError) {
        if closedWith == nil { closedWith = error }
        let completion = pending
        pending = nil
        completion?(.failure(error))
    }
}
