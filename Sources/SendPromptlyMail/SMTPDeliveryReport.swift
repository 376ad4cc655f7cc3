/// What the server did with a message it accepted.
public struct SMTPDeliveryReport: Sendable, Hashable {
    /// Recipients the server accepted; the message was sent to these.
    public let accepted: [MailAddress]
    /// Recipients the server refused; the message was not sent to these. A 4xx refusal may
    /// succeed later in a message to that recipient alone.
    public let rejected: [SMTPRecipientRejection]
    /// The server's answer to the end of the message data, often naming its queue id
    /// (`250 2.0.0 Ok: queued as 4F2A1`).
    public let reply: SMTPReply

    public init(accepted: [MailAddress], rejected: [SMTPRecipientRejection], reply: SMTPReply) {
        self.accepted = accepted
        self.rejected = rejected
        self.reply = reply
    }
}

/// A recipient the server refused at `RCPT TO`, with its reply.
public struct SMTPRecipientRejection: Sendable, Hashable, CustomStringConvertible {
    public let recipient: MailAddress
    public let reply: SMTPReply

    public init(recipient: MailAddress, reply: SMTPReply) {
        self.recipient = recipient
        self.reply = reply
    }

    /// `x@example.com: 550 5.1.1 <x@example.com>: Recipient address rejected`
    public var description: String { "\(recipient.address): \(reply)" }
}
