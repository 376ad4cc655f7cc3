@testable import SendPromptlyMail
import NIOCore
import NIOPosix

/// A fake SMTP server on 127.0.0.1 for what a real one will not do: it greets with
/// `greeting` and answers each line the client sends with `answer(line)`, written as it is
/// (several reply lines, or nothing for a line of message data), and closes the connection
/// after answering `closeAfter`. It records every line.
final class ScriptedServer: Sendable {
    private let listener: any Channel
    private let transcript: Locked<[String]>

    var port: Int { listener.localAddress!.port! }
    /// The lines the clients sent, in order.
    var received: [String] { transcript.withLock { $0 } }

    init(
        greeting: String = "220 scripted.test ESMTP\r\n", closeAfter: String? = nil,
        answer: @escaping @Sendable (String) -> String
    ) async throws {
        let transcript = Locked<[String]>([])
        listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(SMTPLineDecoder()),
                        Script(greeting: greeting, closeAfter: closeAfter, answer: answer, transcript: transcript))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        self.transcript = transcript
    }

    func close() async throws {
        try await listener.close()
    }

    /// Answers for a plain session: `ehlo` to EHLO, then 250, 354 and 221 where due, and
    /// `250 queued` at the end of the message data.
    static func plainAnswers(ehlo: String = "250 scripted.test\r\n") -> @Sendable (String) -> String {
        { line in
            switch line.prefix(4).uppercased() {
            case "EHLO": ehlo
            case "HELO", "MAIL", "RCPT": "250 OK\r\n"
            case "DATA": "354 go ahead\r\n"
            case "QUIT": "221 bye\r\n"
            default: line == "." ? "250 queued\r\n" : ""
            }
        }
    }

    private final class Script: ChannelInboundHandler, Sendable {
        typealias InboundIn = String
        typealias OutboundOut = ByteBuffer

        let greeting: String
        let closeAfter: String?
        let answer: @Sendable (String) -> String
        let transcript: Locked<[String]>

        init(
            greeting: String, closeAfter: String?, answer: @escaping @Sendable (String) -> String,
            transcript: Locked<[String]>
        ) {
            self.greeting = greeting
            self.closeAfter = closeAfter
            self.answer = answer
            self.transcript = transcript
        }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let line = unwrapInboundIn(data)
            transcript.withLock { $0.append(line) }
            let reply = answer(line)
            if !reply.isEmpty {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
            }
            if line == closeAfter {
                context.close(promise: nil)
            }
        }
    }
}
