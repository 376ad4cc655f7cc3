import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends mail over SMTP (RFC 5321): one connection per message, with STARTTLS or implicit
/// TLS, AUTH PLAIN or LOGIN, and a timeout on every step.
///
/// Written by hand on SwiftNIO and swift-nio-ssl: none of the packages this project may use
/// speaks SMTP. It sends one command at a time (no pipelining) and the message as
/// quoted-printable 7-bit text, so it needs no extension beyond STARTTLS and AUTH.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    /// Made once: it holds the trust roots, loaded from disk.
    private let tlsContext: NIOSSLContext?

    /// How long closing a TLS connection waits for the server's `close_notify` before it
    /// closes the socket anyway; SMTP ends its conversations itself and needs no more.
    static let tlsShutdownTimeout = TimeAmount.seconds(1)

    /// - Throws: `SMTPError.invalidConfiguration` when the HELO name is not printable ASCII
    ///   without spaces, or the CA file holds no certificate that loads.
    public init(
        configuration: SMTPConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "sendpromptly.mail")
    ) throws(SMTPError) {
        guard !configuration.heloName.isEmpty, configuration.heloName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidConfiguration("the HELO name must be printable ASCII without spaces")
        }
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        guard configuration.security != .none else {
            tlsContext = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        tls.shutdownTimeout = Self.tlsShutdownTimeout
        do {
            if let file = configuration.trustedCAFile {
                let certificates = try NIOSSLCertificate.fromPEMFile(file)
                guard !certificates.isEmpty else {
                    throw SMTPError.invalidConfiguration("the CA file \(file) holds no certificate")
                }
                tls.trustRoots = .certificates(certificates)
            }
            tlsContext = try NIOSSLContext(configuration: tls)
        } catch let error as SMTPError {
            throw error
        } catch {
            throw .invalidConfiguration("cannot set up TLS with the CA file \(configuration.trustedCAFile ?? "(system roots)"): \(error)")
        }
    }

    /// Sends `message` to each of its recipients over a new connection, closed before this
    /// returns or throws.
    ///
    /// Recipients the server refuses are left out and listed in the report; the message goes
    /// to the others. Once the server has accepted the message data, a failing QUIT is ignored.
    ///
    /// - Returns: which recipients the server accepted and refused, and its final reply.
    /// - Throws: `SMTPError` (see there which cases are transient), or `CancellationError`
    ///   when the task is cancelled: the connection is closed at once, in whatever step it
    ///   is, except that a TCP connect in progress runs until it completes or its timeout.
    ///   A timed-out step also closes the connection; `SMTPError.timeout` names the step.
    public func send(_ message: MailMessage) async throws -> SMTPDeliveryReport {
        let connection = try await connect()
        let clock = StepClock(channel: connection.channel.channel, timeout: configuration.stepTimeout)
        do {
            return try await withTaskCancellationHandler {
                try await connection.channel.executeThenClose { inbound, outbound in
                    let session = SMTPSession(
                        configuration: configuration, lines: inbound.makeAsyncIterator(), outbound: outbound,
                        channel: connection.channel.channel, decoder: connection.decoder, clock: clock,
                        startTLS: { try makeTLSHandler() }, isEncrypted: configuration.security == .implicitTLS,
                        logger: logger)
                    return try await session.send(message)
                }
            } onCancel: {
                connection.channel.channel.close(promise: nil)
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw SMTPError(error)
        }
    }

    /// A connected channel and the line decoder in its pipeline.
    private struct Connection: Sendable {
        let channel: NIOAsyncChannel<String, ByteBuffer>
        let decoder: NIOLoopBound<SMTPLineDecoder>
    }

    /// Opens the TCP connection (TLS first for `.implicitTLS`) within the connect timeout.
    private func connect() async throws -> Connection {
        let implicitTLS = configuration.security == .implicitTLS
        do {
            return try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let decoder = SMTPLineDecoder()
                        if implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(makeTLSHandler())
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
                        return Connection(
                            channel: try NIOAsyncChannel(wrappingChannelSynchronously: channel),
                            decoder: NIOLoopBound(decoder, eventLoop: channel.eventLoop))
                    }
                }
        } catch ChannelError.connectTimeout {
            throw SMTPError.timeout(step: "connect", after: configuration.connectTimeout)
        } catch {
            throw SMTPError.connectionFailed("cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
    }

    /// A TLS client handler for the configured host: SNI and hostname verification use the
    /// host name; for an IP address (never sent as SNI) verification checks the address.
    private func makeTLSHandler() throws -> NIOSSLClientHandler {
        let isAddress = (try? SocketAddress(ipAddress: configuration.host, port: 0)) != nil
        return try NIOSSLClientHandler(context: tlsContext!, serverHostname: isAddress ? nil : configuration.host)
    }
}
