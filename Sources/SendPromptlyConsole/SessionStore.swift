import SendPromptlyCore
import Synchronization

/// The console's sessions, in memory: a restart signs every operator out.
///
/// A session is created by a sign-in with the admin token. Its token (32 bytes from the
/// system's random source, hex) goes to the browser in the `sp_session` cookie; the store keeps
/// only its SHA-256, so a memory dump does not hand out live sessions. A session lives until
/// it has been idle for ``ConsoleSettings/sessionIdleLifetime`` (12 hours by default); every
/// request with it counts as activity. Signing out removes it at once: the cookie's token then
/// opens nothing, even if it was copied.
final class SessionStore: Sendable {
    /// What the server keeps for one signed-in operator.
    struct Session: Sendable {
        /// Sent back in a hidden field of every form; a post without it is refused.
        let csrfToken: String
        var lastActive: ContinuousClock.Instant
        /// A message for the next page rendered, shown once.
        var notice: Notice?
        /// A secret just issued (an API key), shown once on the next page of its project.
        var revealed: RevealedSecret?
    }

    private let sessions = Mutex<[SecretHash: Session]>([:])
    private let idleLifetime: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    init(idleLifetime: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.idleLifetime = idleLifetime
        self.now = now
    }

    /// Starts a session; answers the token for the cookie. Sessions idle past their lifetime
    /// are dropped here, so the store does not grow with abandoned ones.
    func create() -> (token: String, session: Session) {
        let token = Self.randomToken()
        let instant = now()
        let session = Session(csrfToken: Self.randomToken(), lastActive: instant)
        sessions.withLock { sessions in
            sessions = sessions.filter { instant - $0.value.lastActive < idleLifetime }
            sessions[SecretHash(of: token)] = session
        }
        return (token, session)
    }

    /// The live session of `token`, marked active now; nil for an unknown, ended or idle one
    /// (an idle one is removed).
    func session(for token: String?) -> Session? {
        guard let token else { return nil }
        let key = SecretHash(of: token)
        let instant = now()
        return sessions.withLock { sessions in
            guard var session = sessions[key] else { return nil }
            guard instant - session.lastActive < idleLifetime else {
                sessions[key] = nil
                return nil
            }
            session.lastActive = instant
            sessions[key] = session
            return session
        }
    }

    /// Ends the session of `token`, if any.
    func end(_ token: String) {
        _ = sessions.withLock { $0.removeValue(forKey: SecretHash(of: token)) }
    }

    /// Applies `change` to the live session of `token`.
    func update(_ token: String, _ change: (inout Session) -> Void) {
        sessions.withLock { sessions in
            let key = SecretHash(of: token)
            guard var session = sessions[key] else { return }
            change(&session)
            sessions[key] = session
        }
    }

    /// Hands over the notice and the revealed secret for `project` (if that is the project the
    /// secret belongs to), clearing what it hands over: each is shown once.
    func takeShownOnce(_ token: String, project: ProjectID?) -> (Notice?, RevealedSecret?) {
        sessions.withLock { sessions in
            let key = SecretHash(of: token)
            guard var session = sessions[key] else { return (nil, nil) }
            let notice = session.notice
            session.notice = nil
            var revealed: RevealedSecret?
            if let project, session.revealed?.project == project {
                revealed = session.revealed
                session.revealed = nil
            }
            sessions[key] = session
            return (notice, revealed)
        }
    }

    /// 32 bytes from the system's random source, as 64 lowercase hex characters.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for _ in 0..<32 {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Compares two tokens in constant time (by their SHA-256, so not even the length of the
    /// expected one leaks).
    static func tokensMatch(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        return SecretHash(of: given).constantTimeEquals(SecretHash(of: expected))
    }
}

/// A one-line message at the top of the next page: what an action did, or why it was refused.
struct Notice: Sendable {
    let text: String
    let isError: Bool
}

/// A secret shown once, on the next page of its project.
struct RevealedSecret: Sendable {
    let project: ProjectID
    let label: String
    let value: String
}
