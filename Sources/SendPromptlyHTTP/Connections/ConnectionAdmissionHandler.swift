import NIOCore

/// The first handler of every connection: counts it in with the server's ``ConnectionCounter``
/// and closes it at once when it would pass the total or per-address maximum, before a byte of
/// it is read. An admitted connection is counted out when it closes, however it closes.
final class ConnectionAdmissionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let counter: ConnectionCounter
    private var decided = false
    private var admittedAddress: String?

    init(counter: ConnectionCounter) {
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { decide(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        decide(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let admittedAddress { counter.release(admittedAddress) }
        admittedAddress = nil
        context.fireChannelInactive()
    }

    private func decide(_ context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        // Connections over a Unix socket have no IP address: they share one count.
        let address = context.channel.remoteAddress?.ipAddress ?? "local"
        if counter.admit(address) {
            admittedAddress = address
        } else {
            context.close(promise: nil)
        }
    }
}
