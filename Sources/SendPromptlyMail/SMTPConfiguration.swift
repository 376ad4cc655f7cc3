#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Where and how `SMTPClient` sends: server, transport security, credentials, timeouts.
///
/// Certificates are always verified, with hostname verification against `host`: against the
/// system's trust roots, or only against the certificates in `trustedCAFile` when it is set.
/// There is no switch to turn verification off.
///
/// Neither `description` nor the reflection (`dump`, `String(reflecting:)`) shows the password.
public struct SMTPConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: Sendable, Hashable {
        /// Plain TCP upgraded with STARTTLS before anything else is sent; a server that does
        /// not offer STARTTLS fails the send with `SMTPError.startTLSUnavailable`. The default.
        case startTLSRequired
        /// STARTTLS when the server offers it, plaintext otherwise. Credentials are never sent
        /// in plaintext in this mode: without STARTTLS, a send with credentials fails with
        /// `SMTPError.authenticationUnavailable` (a man in the middle can hide the offer).
        case startTLSIfAvailable
        /// Plaintext throughout, credentials included. Only for a trusted network, such as a
        /// relay on the same host.
        case none
        /// TLS from the first byte ("SMTPS", usually port 465).
        case implicitTLS
    }

    /// A user name and password for AUTH PLAIN or AUTH LOGIN.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// The user name only.
        public var description: String { "\(username) (password hidden)" }

        public var customMirror: Mirror {
            Mirror(self, children: ["username": username, "password": "<hidden>"])
        }
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// Sent with AUTH when set: AUTH PLAIN when the server offers it, else AUTH LOGIN.
    public var credentials: Credentials?
    /// A PEM file of the certificates to trust instead of the system's trust roots.
    public var trustedCAFile: String?
    /// The name this client gives in EHLO (or HELO): printable ASCII without spaces.
    public var heloName: String
    /// The longest any one step may take: the greeting, each command and its reply, the TLS
    /// handshake with the reply that follows it, the message data with its reply, QUIT.
    public var stepTimeout: Duration
    /// The longest the TCP connection may take to be set up.
    public var connectTimeout: Duration

    public init(
        host: String, port: Int, security: Security = .startTLSRequired, credentials: Credentials? = nil,
        trustedCAFile: String? = nil, heloName: String = SMTPConfiguration.localHostName,
        stepTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.credentials = credentials
        self.trustedCAFile = trustedCAFile
        self.heloName = heloName
        self.stepTimeout = stepTimeout
        self.connectTimeout = connectTimeout
    }

    /// This machine's host name (`gethostname`), or `localhost` when it has none.
    public static var localHostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    /// `smtp://user@host:587 (STARTTLS required)`: the server, the user and the security,
    /// never the password.
    public var description: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let user = credentials.map { "\($0.username)@" } ?? ""
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let mode = switch security {
        case .startTLSRequired: "STARTTLS required"
        case .startTLSIfAvailable: "STARTTLS if offered"
        case .none: "no TLS"
        case .implicitTLS: "implicit TLS"
        }
        return "\(scheme)://\(user)\(bracketed):\(port) (\(mode))"
    }
}
