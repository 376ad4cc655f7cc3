/// How much the HTTP front gives one client before it stops listening to it: what keeps an
/// exposed server's memory and file descriptors bounded whatever a client sends. Defaults are
/// those of `sendpromptly serve`.
public struct HTTPLimits: Sendable, Equatable {
    /// Open connections in total; one more is closed as soon as it is accepted.
    public var maximumConnections = 4096
    /// Open connections from one client address; one more is closed as soon as it is accepted.
    public var maximumConnectionsPerAddress = 256
    /// How long a connection may wait for its next request (nothing sent) before it is closed.
    /// Longer than the 60 s that HTTP clients' pools commonly keep an idle connection, so that
    /// the client, not the server, closes it, and never just as the client reuses it.
    public var idleTimeout: Duration = .seconds(75)
    /// How long a request may take to arrive, from its first byte to its last: a client that
    /// trickles its headers or body (slowloris) is disconnected after this.
    public var requestTimeout: Duration = .seconds(10)
    /// Bytes of all header lines of a request together (and so of any one of them); past it the
    /// request is answered 431 `headers_too_large` and the connection closed.
    public var maximumHeaderBytes = 16 * 1024
    /// Header lines of a request; past it, the same 431.
    public var maximumHeaderCount = 100

    public init() {}
}
