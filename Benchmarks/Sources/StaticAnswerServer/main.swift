#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// The floor under any SwiftNIO HTTP/1 front: NIO's own server pipeline (decoder, encoder, no
/// pipelining assistance, as Hummingbird configures it) answering every request with the same
/// static 202 JSON body nginx gives in `ceiling.sh`, after reading the request's body and
/// dropping it. No routing, no parsing of the body, no engine, no journal.
///
/// `ceiling.sh` runs it beside nginx, so a ratio of ours to nginx can be read against what NIO
/// alone reaches on the same machine in the same minute.
///
///   StaticAnswerServer PORT [EVENT_LOOPS, default 1]
///
/// Prints `listening on http://127.0.0.1:PORT` once bound, and runs until killed.
final class StaticAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private static let body = #"{"event_id":"ev_01M8PHXMTGCBYHCKD1CHXX8H0P","timeout_at":"2026-11-30T16:12:04.624Z","accepted":true}"#
    private static let head = HTTPResponseHead(
        version: .http1_1, status: .accepted,
        headers: ["Content-Type": "application/json", "Content-Length": String(body.utf8.count)])
    private var answer: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        if answer == nil { answer = context.channel.allocator.buffer(string: Self.body) }
        context.write(wrapOutboundOut(.head(Self.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(answer!))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let port = Int(arguments[1]) else {
    print("usage: StaticAnswerServer PORT [EVENT_LOOPS]")
    exit(64)
}
let loops = max(1, arguments.count > 2 ? Int(arguments[2]) ?? 1 : 1)
let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
            try channel.pipeline.syncOperations.addHandler(StaticAnswerHandler())
        }
    }
    .bind(host: "127.0.0.1", port: port)
    .wait()
print("listening on http://127.0.0.1:\(channel.localAddress!.port!)")
fflush(nil)  // all streams: stdout is a pipe or a file, fully buffered
try channel.closeFuture.wait()
