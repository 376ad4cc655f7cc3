import Foundation
import Logging
import NIOCore
import NIOSSL

/// One SMTP conversation on a connected channel, from the greeting to QUIT: EHLO (HELO when
/// EHLO is refused with 5xx), STARTTLS and EHLO again, AUTH, MAIL FROM, RCPT TO for each
/// recipient, DATA, QUIT. Each exchange runs as a step of `clock`.
final class SMTPSession {
    private let configuration: SMTPConfiguration
    private var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let channel: any Channel
    private let decoder: NIOLoopBound<SMTPLineDecoder>
    private let clock: StepClock
    private let makeTLSHandler: @Sendable () throws -> NIOSSLClientHandler
    private var isEncrypted: Bool
    private let logger: Logger
    /// Lines taken from `lines`; compared with what the decoder produced at STARTTLS.
    private var linesRead = 0

    init(
        configuration: SMTPConfiguration, lines: NIOAsyncChannelInboundStream<String>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, channel: any Channel,
        decoder: NIOLoopBound<SMTPLineDecoder>, clock: StepClock,
        startTLS makeTLSHandler: @escaping @Sendable () throws -> NIOSSLClientHandler, isEncrypted: Bool,
        logger: Logger
    ) {
        self.configuration = configuration
        self.lines = lines
        self.outbound = outbound
        self.channel = channel
        self.decoder = decoder
        self.clock = clock
        self.makeTLSHandler = makeTLSHandler
        self.isEncrypted = isEncrypted
        var logger = logger
        logger[metadataKey: "smtp.server"] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
    }

    func send(_ message: MailMessage) async throws -> SMTPDeliveryReport {
        do {
            let greeting = try await clock.run(isEncrypted ? "TLS handshake and greeting" : "greeting") {
                try await readReply()
            }
            guard greeting.code == 220 else { throw SMTPError.rejected(command: "the connection", reply: greeting) }
            var extensions = try await hello()
            if try shouldStartTLS(offered: extensions["STARTTLS"] != nil) {
                try await startTLS()
                extensions = try await hello(afterTLS: true)
            }
            if let credentials = configuration.credentials {
                try await authenticate(credentials, mechanisms: extensions["AUTH"] ?? [])
            }
            let report = try await transfer(message)
            await quit()
            return report
        } catch let error as SMTPError {
            // The conversation itself is intact: end it politely.
            switch error {
            case .rejected, .allRecipientsRejected, .startTLSUnavailable, .authenticationUnavailable:
                await quit()
            default:
                break
            }
            throw error
        }
    }

    // MARK: Steps

    /// EHLO, or HELO when the server refuses EHLO with 5xx.
    ///
    /// - Returns: the extensions the server announced, by upper-cased keyword, with their
    ///   upper-cased parameters (`AUTH` → `[PLAIN, LOGIN]`); empty after HELO.
    private func hello(afterTLS: Bool = false) async throws -> [String: [String]] {
        let name = configuration.heloName
        let reply = try await command("EHLO \(name)", step: afterTLS ? "TLS handshake and EHLO" : "EHLO")
        if reply.code == 250 {
            var extensions: [String: [String]] = [:]
            for line in reply.lines.dropFirst() {
                let words = line.uppercased().split(separator: " ").map(String.init)
                guard let keyword = words.first else { continue }
                extensions[keyword, default: []] += words.dropFirst()
            }
            return extensions
        }
        guard reply.isPermanentFailure else { throw SMTPError.rejected(command: "EHLO", reply: reply) }
        let fallback = try await command("HELO \(name)", step: "HELO")
        guard fallback.code == 250 else { throw SMTPError.rejected(command: "HELO", reply: fallback) }
        return [:]
    }

    private func shouldStartTLS(offered: Bool) throws(SMTPError) -> Bool {
        switch configuration.security {
        case .startTLSRequired:
            guard offered else { throw .startTLSUnavailable }
            return true
        case .startTLSIfAvailable:
            return offered
        case .none, .implicitTLS:
            return false
        }
    }

    /// STARTTLS, then TLS on the same connection. The handshake runs while the next EHLO waits
    /// for its reply; its failure fails that step.
    private func startTLS() async throws {
        let reply = try await command("STARTTLS", step: "STARTTLS")
        guard reply.code == 220 else { throw SMTPError.rejected(command: "STARTTLS", reply: reply) }
        let (channel, decoder, linesRead, makeTLSHandler) = (channel, decoder, linesRead, makeTLSHandler)
        // On the event loop, so that no byte can arrive between the check and the handler.
        try await channel.eventLoop.submit {
            guard decoder.value.linesDecoded == linesRead, decoder.value.bytesBuffered == 0 else {
                throw SMTPError.protocolViolation("the server sent more after its 220 to STARTTLS, before the TLS handshake")
            }
            try channel.pipeline.syncOperations.addHandler(makeTLSHandler(), position: .first)
        }.get()
        isEncrypted = true
    }

    /// AUTH PLAIN when offered, else AUTH LOGIN; only over TLS unless security is `.none`.
    private func authenticate(_ credentials: SMTPConfiguration.Credentials, mechanisms: [String]) async throws {
        guard isEncrypted || configuration.security == .none else {
            throw SMTPError.authenticationUnavailable(
                "the server did not offer STARTTLS, and credentials are not sent over an unencrypted connection")
        }
        if mechanisms.contains("PLAIN") {
            let token = Self.base64("\0\(credentials.username)\0\(credentials.password)")
            let reply = try await command("AUTH PLAIN \(token)", step: "AUTH PLAIN", logged: "AUTH PLAIN <credentials>")
            guard reply.code == 235 else { throw SMTPError.rejected(command: "AUTH PLAIN", reply: reply) }
        } else if mechanisms.contains("LOGIN") {
            let start = try await command("AUTH LOGIN", step: "AUTH LOGIN")
            guard start.code == 334 else { throw SMTPError.rejected(command: "AUTH LOGIN", reply: start) }
            let user = try await command(Self.base64(credentials.username), step: "AUTH LOGIN user name", logged: "<user name>")
            guard user.code == 334 else { throw SMTPError.rejected(command: "AUTH LOGIN", reply: user) }
            let done = try await command(Self.base64(credentials.password), step: "AUTH LOGIN password", logged: "<password>")
            guard done.code == 235 else { throw SMTPError.rejected(command: "AUTH LOGIN", reply: done) }
        } else {
            let offered = mechanisms.isEmpty ? "none" : mechanisms.joined(separator: " ")
            throw SMTPError.authenticationUnavailable("the server offers neither AUTH PLAIN nor AUTH LOGIN (it offers: \(offered))")
        }
    }

    /// MAIL FROM, RCPT TO for each recipient, DATA.
    private func transfer(_ message: MailMessage) async throws -> SMTPDeliveryReport {
        let mail = try await command("MAIL FROM:<\(message.from.address)>", step: "MAIL FROM")
        guard mail.isPositiveCompletion else { throw SMTPError.rejected(command: "MAIL FROM", reply: mail) }
        var accepted: [MailAddress] = []
        var rejected: [SMTPRecipientRejection] = []
        for recipient in message.to {
            let reply = try await command("RCPT TO:<\(recipient.address)>", step: "RCPT TO")
            if reply.isPositiveCompletion {
                accepted.append(recipient)
            } else {
                logger.info("recipient refused", metadata: ["recipient": "\(recipient.address)", "reply": "\(reply)"])
                rejected.append(SMTPRecipientRejection(recipient: recipient, reply: reply))
            }
        }
        guard !accepted.isEmpty else { throw SMTPError.allRecipientsRejected(rejected) }
        let data = try await command("DATA", step: "DATA")
        guard data.code == 354 else { throw SMTPError.rejected(command: "DATA", reply: data) }
        let final = try await clock.run("message data") {
            try await outbound.write(Self.dotStuffed(message.rendered()))
            return try await readReply()
        }
        guard final.isPositiveCompletion else { throw SMTPError.rejected(command: "the message data", reply: final) }
        logger.debug("message accepted", metadata: ["reply": "\(final)", "message-id": "\(message.messageID)"])
        return SMTPDeliveryReport(accepted: accepted, rejected: rejected, reply: final)
    }

    /// QUIT, errors ignored: it only ends a conversation whose outcome is already known.
    private func quit() async {
        _ = try? await command("QUIT", step: "QUIT")
    }

    // MARK: Wire

    /// Sends `line` and reads the reply, as the step `step`. `logged` replaces the line in the
    /// log when it carries credentials.
    private func command(_ line: String, step: String, logged: String? = nil) async throws -> SMTPReply {
        try await clock.run(step) {
            logger.trace("C: \(logged ?? line)")
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
            return try await readReply()
        }
    }

    private func readReply() async throws -> SMTPReply {
        var parser = SMTPReplyParser()
        while true {
            guard let line = try await lines.next() else {
                throw SMTPError.connectionFailed("the server closed the connection")
            }
            linesRead += 1
            if let reply = try parser.consume(line) {
                logger.trace("S: \(reply)")
                return reply
            }
        }
    }

    /// The rendered message as DATA sends it: every line starting with `.` gets another `.`
    /// (RFC 5321 §4.5.2), then the terminating `.` line.
    static func dotStuffed(_ text: String) -> ByteBuffer {
        var stuffed = text.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        if stuffed.hasPrefix(".") { stuffed = "." + stuffed }
        if !stuffed.hasSuffix("\r\n") { stuffed += "\r\n" }
        return ByteBuffer(string: stuffed + ".\r\n")
    }

    private static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}
