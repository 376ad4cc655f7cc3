import NIOCore
import NIOHTTP1

/// The idle time-out and the close after quiescing, on NIO's HTTP/1 parts, where every request
/// of a connection passes: those the router answers (above the HTTP-types codec) and those
/// ``IngestChannelHandler`` answers below it.
///
/// It stands in for Hummingbird's `HTTPConnectionStateHandler`, whose rules below it keeps:
/// that one sits above the codec and would not see the ingest calls, so it would close a
/// connection busy with them at its idle time-out, and close at once on quiescing with their
/// answers still unwritten. Unlike that one it passes `channelInactive` on, and an answer's end
/// with no request in progress (a 431 for headers the decoder gave up on) ends none.
///
/// - A request is in progress from its head read to its answer's end written.
/// - **Idle time-out**: the connection is closed once `idleTimeout` has passed since the last
///   part read or the last answer finished, unless a request has been read in full and is
///   still being answered (how long a request may take to arrive is the request timeout's
///   business, ``RequestDeadlineHandler``).
/// - **Quiescing** (`ChannelShouldQuiesceEvent`, on graceful shutdown): the connection is
///   closed at once when no request is in progress, else right after the answer that leaves
///   none in progress. The event goes no further.
///
/// One timer per connection, scheduled again only when it fires or an answer leaves the
/// connection idle; never cancelled per request.
final class ConnectionStateHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let idleTimeout: TimeAmount?
    private var requestsInProgress = 0
    private var isRequestBeingRead = false
    private var lastActive = NIODeadline.uptimeNanoseconds(0)
    private var closesAfterAnswers = false
    private var timer: Scheduled<Void>?

    /// - Parameter idleTimeout: `nil` keeps idle connections open.
    init(idleTimeout: TimeAmount?) {
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { becameActive(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        becameActive(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActive = context.eventLoop.now
        switch unwrapInboundIn(data) {
        case .head:
            isRequestBeingRead = true
            requestsInProgress += 1
        case .body:
            break
        case .end:
            isRequestBeingRead = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // An answer to no request read here (a 431 for headers the decoder gave up on) ends none.
        guard case .end = unwrapOutboundIn(data), requestsInProgress > 0 else {
            return context.write(data, promise: promise)
        }
        requestsInProgress -= 1
        guard requestsInProgress == 0 else { return context.write(data, promise: promise) }
        if closesAfterAnswers {
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
            return
        }
        lastActive = context.eventLoop.now
        if let idleTimeout, timer == nil { schedule(at: lastActive + idleTimeout, context: context) }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        if requestsInProgress == 0 {
            context.close(promise: nil)
        } else {
            closesAfterAnswers = true
        }
    }

    private func becameActive(context: ChannelHandlerContext) {
        lastActive = context.eventLoop.now
        if let idleTimeout, timer == nil { schedule(at: lastActive + idleTimeout, context: context) }
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let idleTimeout else { return }
            // Being answered: the answer's end schedules the timer again.
            if !isRequestBeingRead, requestsInProgress > 0 { return }
            let idleUntil = lastActive + idleTimeout
            if context.eventLoop.now >= idleUntil {
                context.close(promise: nil)
            } else {
                schedule(at: idleUntil, context: context)
            }
        }
    }
}
