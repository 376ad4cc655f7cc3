import NIOSSL

extension SMTPError {
    /// What an error from the channel means for the sender: a failed TLS handshake or
    /// certificate check is `tlsFailed`; the connection ending or failing (also in the middle
    /// of the handshake) is `connectionFailed`; an `SMTPError` stays as it is.
    init(_ error: any Error) {
        switch error {
        case let error as SMTPError:
            self = error
        case NIOSSLError.uncleanShutdown:
            self = .connectionFailed("the server closed the TLS connection without a close_notify")
        case NIOSSLError.handshakeFailed(.sslError([.eofDuringHandshake])):
            self = .connectionFailed("the server closed the connection during the TLS handshake")
        case let error as NIOSSLError:
            self = .tlsFailed("\(error)")
        case let error as NIOSSLExtraError:
            self = .tlsFailed("\(error)")
        default:
            self = .connectionFailed("\(error)")
        }
    }
}
