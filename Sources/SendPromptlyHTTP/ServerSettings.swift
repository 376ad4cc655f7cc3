import Atomics
import SendPromptlyEngine
import Synchronization
import SendPromptlyConsole
import SendPromptlyCore

/// What the HTTP front needs to know beyond the engine. Defaults are the embedded defaults of
/// `sendpromptly serve`.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Request bodies past this size are refused with `payload_too_large`.
    public var maximumBodyBytes = 16 * 1024
    /// Accept `http://` repair URLs to any host, not only loopback.
    public var allowInsecureRepairURLs = false
    /// How often deadlines are checked; with the engine's tick it bounds a timeout's lateness.
    public var expiryInterval: Duration = .milliseconds(100)
    /// The server's address as operators reach it (`--public-url`): the console's cookies are
    /// `Secure` when it is https, and its curl commands use it. Nil: the address the browser used.
    public var publicURL: String?
    /// The hash of `--metrics-token`: when set, `GET /metrics` asks for it as a bearer token.
    public var metricsTokenHash: SecretHash?
    /// Connections, timeouts and header sizes (the per-project quota is the engine's).
    public var limits = HTTPLimits()

    public init() {}
}

/// Whether the server may answer API requests yet: `/readyz` and every API route answer 503
/// `unavailable` until the engine's state is complete (recovered) and after shutdown begins.
public final class Readiness: Sendable {
    private let ready: Mutex<Bool>

    public init(ready: Bool = false) {
        self.ready = Mutex(ready)
    }

    public var isReady: Bool { ready.withLock { $0 } }

    public func set(_ value: Bool) {
        ready.withLock { $0 = value }
    }
}

/// Where the HTTP front finds the engine. Empty while the engine is being recovered (the API
/// answers 503 `unavailable` then); installed once, then read on every request without a lock.
public final class EngineSlot: Sendable {
    private let reference = ManagedAtomicLazyReference<Engine>()

    public init(_ engine: Engine? = nil) {
        if let engine { install(engine) }
    }

    /// Installs the engine; later calls keep the first one.
    public func install(_ engine: Engine) {
        _ = reference.storeIfNilThenLoad(engine)
    }

    public var engine: Engine? { reference.load() }
}

extension ServerSettings {
    /// What the console takes from these settings.
    var console: ConsoleSettings {
        var console = ConsoleSettings()
        console.publicURL = publicURL
        console.allowInsecureRepairURLs = allowInsecureRepairURLs
        console.maximumBodyBytes = maximumBodyBytes
        return console
    }
}
