/// What the console needs to know about the server it runs in.
public struct ConsoleSettings: Sendable {
    /// The server's address as operators reach it (`--public-url`): the base of the curl
    /// commands on the Integration Test screen. Nil: the `Host` the browser used, over http.
    public var publicURL: String?
    /// Accept `http://` repair URLs to any host, as the operator API does.
    public var allowInsecureRepairURLs = false
    /// Form bodies past this size are refused.
    public var maximumBodyBytes = 16 * 1024
    /// How long a wrong admin token waits before its answer, against guessing.
    public var signInFailureDelay: Duration = .seconds(1)
    /// A session ends after this long without a request.
    public var sessionIdleLifetime: Duration = .seconds(12 * 3600)

    public init() {}

    /// Cookies get `Secure` when operators reach the server over https.
    var secureCookies: Bool {
        publicURL?.lowercased().hasPrefix("https://") ?? false
    }
}
