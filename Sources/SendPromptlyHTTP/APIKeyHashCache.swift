import HTTPTypes
import SendPromptlyCore
import SendPromptlyEngine

/// The API key a connection presented last and its SHA-256, so that a keep-alive connection
/// sending the same key with every request hashes it once instead of once per request.
///
/// Only a key the engine accepted is kept; every request still looks its hash up in the key
/// directory, and the shard still checks revocation and scope, so keeping the hash changes no
/// answer. The key's bytes stay in memory for the connection's life, as its request headers
/// do, and are compared in constant time. One per connection, used on its event loop only.
struct APIKeyHashCache {
    private var key: [UInt8] = []
    private var hash: SecretHash?

    /// The access the request's bearer token grants, or `unauthorized`: the same answer as
    /// ``API/keyAccess(_:engine:)``.
    mutating func access(_ headers: some RequestHeaderFields, engine: Engine) throws(APIError) -> Access {
        let token = try RequestGuards.bearerToken(headers)
        do {
            if let hash, Self.constantTimeEquals(token.utf8, key) {
                return try engine.access(forAPIKeyHash: hash)
            }
            let access = try engine.access(forAPIKey: token)
            if case .apiKey(_, let hash) = access {
                key = Array(token.utf8)
                self.hash = hash
            }
            return access
        } catch {
            throw .unauthorized
        }
    }

    /// Whether `token` is `key`, in a time that depends on their lengths only (and API keys
    /// all have one length).
    private static func constantTimeEquals(_ token: Substring.UTF8View, _ key: [UInt8]) -> Bool {
        guard token.count == key.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(token, key) { difference |= a ^ b }
        return difference == 0
    }
}
