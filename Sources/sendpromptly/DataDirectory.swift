import Foundation
import SendPromptlyCore

/// The server's data directory (`--data-dir`, `./snapshots` by default): mode 0700 (created so,
/// or an existing directory restricted to it); every file in it is written with mode 0600.
struct DataDirectory {
    let url: URL

    /// Opens `path`, creating it when missing; refuses a path that is not a writable directory.
    init(path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StartupError("data directory \(path) is not a directory") }
            // The journal and snapshots hold signing secrets: only the owner may read them.
            guard chmod(url.path, 0o700) == 0 else {
                throw StartupError("cannot restrict data directory \(path) to mode 0700: \(String(cString: strerror(errno)))")
            }
        } else {
            do {
                try manager.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StartupError("cannot create data directory \(path): \(error.localizedDescription)")
            }
        }
        guard manager.isWritableFile(atPath: url.path), manager.isReadableFile(atPath: url.path) else {
            throw StartupError("data directory \(path) is not readable and writable")
        }
    }

    func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    /// Writes `contents` to `name` atomically, readable by the owner only.
    func writePrivate(_ contents: String, to name: String) throws {
        let target = file(name)
        let temporary = file(".\(name).tmp")
        guard FileManager.default.createFile(
            atPath: temporary.path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600])
        else { throw StartupError("cannot write \(temporary.path)") }
        guard rename(temporary.path, target.path) == 0 else {
            throw StartupError("cannot write \(target.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Where the admin token comes from (section 1 of the wire contract): `--admin-token` or
/// `SENDPROMPTLY_ADMIN_TOKEN`; otherwise one generated on first start, printed once, and kept
/// in the data directory as its SHA-256 hash (mode 0600), so that a later start accepts it
/// without the token itself ever resting on disk.
enum AdminToken {
    static let fileName = "admin-token.sha256"

    /// The hash to check bearer tokens against, and the token when it was generated just now
    /// (for the caller to print once).
    static func resolve(configured: String?, in directory: DataDirectory) throws -> (hash: SecretHash, generated: String?) {
        if let configured {
            guard configured.utf8.count >= 16 else {
                throw StartupError("the admin token must be at least 16 characters")
            }
            return (SecretHash(of: configured), nil)
        }
        let stored = directory.file(fileName)
        if FileManager.default.fileExists(atPath: stored.path) {
            guard let text = try? String(contentsOf: stored, encoding: .utf8),
                  let hash = SecretHash(hex: text.trimmingCharacters(in: .whitespacesAndNewlines))
            else { throw StartupError("\(stored.path) is damaged: remove it to generate a new admin token") }
            return (hash, nil)
        }
        let token = SecretFormat.adminToken()
        let hash = SecretHash(of: token)
        try directory.writePrivate(hash.hex + "\n", to: fileName)
        return (hash, token)
    }
}
