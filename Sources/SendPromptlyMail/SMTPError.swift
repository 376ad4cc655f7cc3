/// Why a message was not sent.
///
/// Every case is either transient (``isTransient``: the same message may go through later,
/// so retry with a backoff) or permanent (it will fail the same way until the configuration,
/// the server or the message changes, so report it instead of retrying):
///
/// | case | kind |
/// |---|---|
/// | `rejected` with a 4xx reply | transient |
/// | `rejected` with a 5xx (or unexpected) reply, e.g. 535 or 550 | permanent |
/// | `allRecipientsRejected` | transient if any recipient got a 4xx, else permanent |
/// | `connectionFailed`, `timeout` | transient |
/// | `tlsFailed`, `startTLSUnavailable`, `authenticationUnavailable`, `protocolViolation`, `invalidConfiguration` | permanent |
///
/// A failed TLS handshake is permanent: it means an untrusted or mismatched certificate or no
/// common protocol version, which retrying does not fix and which must not be retried into
/// silence. A connection that drops during the handshake is `connectionFailed`, transient.
///
/// No description ever contains the password.
public enum SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered `command` (`MAIL FROM`, `AUTH PLAIN`, `DATA`, ...) with `reply`,
    /// a refusal or a reply the protocol does not allow there.
    case rejected(command: String, reply: SMTPReply)
    /// The server refused every recipient; nothing was sent.
    case allRecipientsRejected([SMTPRecipientRejection])
    /// No connection, or it ended early: refused, unreachable, name not found, reset, or closed
    /// by the server before the conversation was over.
    case connectionFailed(String)
    /// `step` (`connect`, `greeting`, `EHLO`, ...) did not finish within `after`; the
    /// connection was closed.
    case timeout(step: String, after: Duration)
    /// The TLS handshake failed: certificate not trusted or not valid for the host, or no
    /// protocol both sides speak.
    case tlsFailed(String)
    /// STARTTLS is required and the server does not offer it; nothing was sent beyond EHLO.
    case startTLSUnavailable
    /// Credentials are configured and cannot be used: the server offers neither AUTH PLAIN nor
    /// AUTH LOGIN, or the connection is not encrypted while security is not `.none`.
    case authenticationUnavailable(String)
    /// The server broke the protocol: a malformed or overlong reply, or plaintext sent after
    /// its `220` to STARTTLS.
    case protocolViolation(String)
    /// The configuration cannot be used, such as a CA file that does not load.
    case invalidConfiguration(String)

    /// Whether the same message may go through later; see the table above.
    public var isTransient: Bool {
        switch self {
        case .rejected(_, let reply):
            reply.isTransientFailure
        case .allRecipientsRejected(let rejections):
            rejections.contains { $0.reply.isTransientFailure }
        case .connectionFailed, .timeout:
            true
        case .tlsFailed, .startTLSUnavailable, .authenticationUnavailable, .protocolViolation, .invalidConfiguration:
            false
        }
    }

    public var isPermanent: Bool { !isTransient }

    public var description: String {
        switch self {
        case .rejected(let command, let reply):
            "the server rejected \(command): \(reply)"
        case .allRecipientsRejected(let rejections):
            "the server rejected every recipient: " + rejections.map(\.description).joined(separator: "; ")
        case .connectionFailed(let reason):
            "connection failed: \(reason)"
        case .timeout(let step, let after):
            "\(step) did not complete within \(after)"
        case .tlsFailed(let reason):
            "TLS handshake failed: \(reason)"
        case .startTLSUnavailable:
            "STARTTLS is required but the server does not offer it"
        case .authenticationUnavailable(let reason):
            "cannot authenticate: \(reason)"
        case .protocolViolation(let reason):
            "protocol violation: \(reason)"
        case .invalidConfiguration(let reason):
            "invalid configuration: \(reason)"
        }
    }
}
