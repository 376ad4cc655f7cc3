/// A mailbox: an address for the envelope and the header, with an optional display name for
/// the header (`SendPromptly <alerts@example.com>`).
///
/// The address is checked when made, so that it can go into an SMTP command and a header as
/// it is: at most 254 bytes of printable ASCII, one `@` with a non-empty part on each side,
/// and none of space, control characters (so no CR or LF) or `<>()[],;:\"`. Quoted local
/// parts, address literals and internationalised addresses are refused. The display name may
/// be any text: line breaks in it become spaces, and it is RFC 2047 encoded when it is not
/// plain ASCII or is long.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public let address: String
    public let displayName: String?

    /// - Throws: `MailMessage.InvalidMessage` when `address` is not an address this client sends to.
    public init(_ address: String, displayName: String? = nil) throws(MailMessage.InvalidMessage) {
        guard Self.isAddressSpec(address) else {
            throw MailMessage.InvalidMessage(description: "\(address.debugDescription) is not a valid email address")
        }
        self.address = address
        self.displayName = displayName
    }

    /// `local@domain` of the characters allowed above; message ids have the same form.
    static func isAddressSpec(_ text: String) -> Bool {
        let forbidden = Set("<>()[],;:\\\"".utf8)
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.utf8.count <= 254 && parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }
    }

    /// The part after the `@`.
    public var domain: Substring { address[address.index(after: address.firstIndex(of: "@")!)...] }

    /// The address as it is written, `name <address>` or `address`.
    public var description: String {
        displayName.map { "\($0) <\(address)>" } ?? address
    }
}
