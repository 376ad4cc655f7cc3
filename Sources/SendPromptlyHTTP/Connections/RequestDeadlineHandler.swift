import NIOCore

/// Sent down the pipeline (an outbound user event) by ``RequestEndSignalHandler`` when the
/// last part of a request has been read.
struct RequestFullyRead {}

/// Bounds how long a request may take to arrive: the first byte of a request starts a clock of
/// ``HTTPLimits/requestTimeout``, and unless the request's last part has been read by then
/// (``RequestFullyRead``), the connection is closed. A client trickling its headers or body
/// byte by byte (slowloris) therefore holds a connection for at most that long, whatever the
/// idle timeout. Sits before the HTTP decoder, so it sees the bytes of headers still incomplete.
///
/// Time spent answering is not counted: the clock stops when the request has arrived, and the
/// next one starts with the next byte. A request whose bytes came with the previous one
/// (pipelined) is left to the idle timeout.
final class RequestDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var waitingForRequest = true

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if waitingForRequest {
            waitingForRequest = false
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                context.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is RequestFullyRead else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        deadline?.cancel()
        deadline = nil
        waitingForRequest = true
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
