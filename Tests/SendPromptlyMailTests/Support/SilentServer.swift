import NIOCore
import NIOPosix

/// A TCP listener on 127.0.0.1 that accepts connections and never says a word: the server an
/// SMTP client must give up on by its timeout.
final class SilentServer: Sendable {
    private let listener: any Channel
    private let accepted: Locked<[any Channel]>

    var port: Int { listener.localAddress!.port! }

    init() async throws {
        let accepted = Locked<[any Channel]>([])
        listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accepted.withLock { $0.append(channel) }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        self.accepted = accepted
    }

    /// The first connection accepted, once there is one.
    func firstConnection() async throws -> any Channel {
        try await waitUntil("a connection to the silent server", timeout: .seconds(10)) {
            accepted.withLock { $0.first }
        }
    }

    func close() async throws {
        for channel in accepted.withLock({ $0 }) { try? await channel.close() }
        try await listener.close()
    }

    /// A port on 127.0.0.1 where nothing listens: bound, then closed again.
    static func closedPort() async throws -> Int {
        let server = try await SilentServer()
        let port = server.port
        try await server.close()
        return port
    }
}
