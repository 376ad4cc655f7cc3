import Foundation

/// An email with a plain-text and an HTML version of one body, as `SMTPClient` sends it.
///
/// Everything is checked when the message is made, so that rendering cannot fail and no
/// value can add a header line of its own (header injection): addresses are checked by
/// `MailAddress`; custom header names must be printable ASCII without `:` and must not be one
/// of the headers the rendering writes itself; line breaks in the subject and in header values
/// become spaces. See `rendered()` for the format on the wire.
public struct MailMessage: Sendable {
    /// A header the caller adds, such as `X-SendPromptly-Incident`.
    public struct Header: Sendable, Hashable {
        public let name: String
        public let value: String
    }

    /// Why a message or an address was refused.
    public struct InvalidMessage: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    /// Headers that `rendered()` writes and a caller therefore may not add.
    static let generatedHeaders: Set<String> = [
        "date", "message-id", "from", "to", "subject", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    public let from: MailAddress
    /// Every recipient: written to the `To` header and each given to the server in `RCPT TO`.
    public let to: [MailAddress]
    public let subject: String
    public let textBody: String
    public let htmlBody: String
    public let headers: [Header]
    public let date: Date
    /// The `Message-ID` without its angle brackets: `<random hex>@<domain of from>` unless given.
    public let messageID: String
    /// Separates the two parts. It starts with `=_`, which quoted-printable text never holds.
    let boundary: String

    /// - Parameters:
    ///   - headers: extra headers, written after the generated ones in this order.
    ///   - date: the `Date` header; now unless given.
    ///   - messageID: the `Message-ID` without angle brackets; generated unless given.
    /// - Throws: `InvalidMessage` when there is no recipient, or a header name or the message
    ///   id cannot be written as they are.
    public init(
        from: MailAddress, to: [MailAddress], subject: String, textBody: String, htmlBody: String,
        headers: KeyValuePairs<String, String> = [:], date: Date = Date(), messageID: String? = nil
    ) throws(InvalidMessage) {
        guard !to.isEmpty else { throw InvalidMessage(description: "a message needs at least one recipient") }
        for (name, _) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                throw InvalidMessage(description: "\(name.debugDescription) is not a valid header name")
            }
            guard !Self.generatedHeaders.contains(name.lowercased()) else {
                throw InvalidMessage(description: "the \(name) header is written by the message itself and cannot be added")
            }
        }
        if let messageID, !MailAddress.isAddressSpec(messageID) {
            throw InvalidMessage(description: "\(messageID.debugDescription) is not a valid message id")
        }
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.headers = headers.map { Header(name: $0.key, value: $0.value) }
        self.date = date
        self.messageID = messageID ?? "\(Self.randomHex())@\(from.domain)"
        self.boundary = "=_SendPromptly_\(Self.randomHex())"
    }

    /// 32 random hexadecimal digits.
    private static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let digits = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}
