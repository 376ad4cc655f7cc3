import NIOCore

/// Bounds how long a request may take to arrive: the first byte of a request starts a clock of
/// ``HTTPLimits/requestTimeout``, and unless the request's last part has been read by then
/// (``requestFullyRead()``, called by ``RequestEndSignalHandler``), the connection is closed. A
/// client trickling its headers or body byte by byte (slowloris) therefore holds a connection for
/// at most that long, whatever the idle timeout. Sits before the HTTP decoder, so it sees the
/// bytes of headers still incomplete.
///
/// Time spent answering is not counted: the clock stops when the request has arrived, and the
/// next one starts with the next byte. A request whose bytes came with the previous one
/// (pipelined) is left to the idle timeout.
///
/// A connection has at most one timer, and a request neither schedules nor cancels one: most
/// requests arrive whole in one read, so a timer per request (scheduled, then cancelled a few
/// microseconds later) cost about 5% of the server's CPU per receipt. The timer fires at the
/// earliest deadline it was set for; if the request it was set for has arrived by then, it
/// moves on to the deadline of the request being read, or stops while none is.
final class RequestDeadlineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let timeout: TimeAmount
    /// When the request being read must have arrived; `nil` between requests.
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadline == nil {
            let deadline = context.eventLoop.now + timeout
            self.deadline = deadline
            if timer == nil { startTimer(at: deadline, context: context) }
        }
        context.fireChannelRead(data)
    }

    /// The request being read has arrived in full: its clock stops. Call on the channel's loop.
    func requestFullyRead() {
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private func startTimer(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let deadline = self.deadline else { return }
            if deadline <= context.eventLoop.now {
                context.close(promise: nil)
            } else {
                startTimer(at: deadline, context: context)
            }
        }
    }
}
