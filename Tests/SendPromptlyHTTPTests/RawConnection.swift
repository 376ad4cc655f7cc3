import NIOCore
import NIOPosix

/// A bare TCP client for the connection limits: sends exactly the bytes a test gives it (all
/// at once, or one by one on a timer like a slowloris client), reads whole responses, and
/// tells whether the server closed the connection. One task uses it at a time.
final class RawConnection {
    private let channel: any Channel
    private var chunks: AsyncStream<ByteBuffer>.Iterator
    private var pending = ""

    private init(channel: any Channel, chunks: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.chunks = chunks.makeAsyncIterator()
    }

    /// Connects to `port` on 127.0.0.1 from `source` (any 127.x.y.z address is this host's).
    static func connect(port: Int, from source: String = "127.0.0.1") async throws -> RawConnection {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(continuation: continuation))
                }
            }
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, chunks: stream)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Sends `text` one byte every `interval` until it is all sent or the connection closes.
    func trickle(_ text: String, every interval: TimeAmount) {
        let channel = channel
        let bytes = NIOLoopBoundBox.makeBoxSendingValue(Array(text.utf8)[...], eventLoop: channel.eventLoop)
        channel.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) { task in
            guard channel.isActive, let byte = bytes.value.popFirst() else {
                task.cancel()
                return
            }
            channel.writeAndFlush(ByteBuffer(bytes: [byte]), promise: nil)
        }
    }

    /// The next whole response (head and a `Content-Length` body), or nil when the server
    /// closed the connection first.
    func readResponse() async -> String? {
        while true {
            if let end = pending.range(of: "\r\n\r\n") {
                let head = pending[..<end.lowerBound]
                let length = head.split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let body = pending[end.upperBound...]
                if body.utf8.count >= length {
                    let responseEnd = body.utf8.index(body.startIndex, offsetBy: length)
                    let response = String(pending[..<responseEnd])
                    pending = String(pending[responseEnd...])
                    return response
                }
            }
            guard let chunk = await chunks.next() else { return nil }
            pending += String(buffer: chunk)
        }
    }

    /// Waits until the server closes the connection; answers false when it did not within
    /// `safetyNet` (then this client closes it, so that a failing test still ends).
    func serverCloses(within safetyNet: TimeAmount = .seconds(60)) async -> Bool {
        let channel = channel
        let net = channel.eventLoop.scheduleTask(in: safetyNet) { channel.close(promise: nil) }
        while let chunk = await chunks.next() { pending += String(buffer: chunk) }
        net.cancel()
        // The net's future succeeds only when it ran; cancelled, it fails.
        return (try? await net.futureResult.get()) == nil
    }

    func close() async {
        try? await channel.close()
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<ByteBuffer>.Continuation

        init(continuation: AsyncStream<ByteBuffer>.Continuation) {
            self.continuation = continuation
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset by the server is a close too.
            context.close(promise: nil)
        }
    }
}
