#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOPosix

/// Which addresses the server's outbound POSTs (repair callbacks, Slack webhooks) may go to.
/// Those URLs are typed into project settings, so without this rule anyone who can edit a
/// project could make the server POST into its own network (SSRF): cloud metadata services,
/// admin panels on private addresses.
///
/// By default every address the host resolves to must be public or loopback (loopback is
/// allowed by the wire contract for local repair endpoints). Self-hosters whose endpoints are
/// internal name the hosts or ranges to allow (`--repair-allow`).
///
/// The check runs on each attempt, after DNS resolution, so a name that later resolves to a
/// private address is refused then. Known gap: the HTTP client resolves the name again when it
/// connects, so a name that changes its answer between the two lookups (DNS rebinding with a
/// zero TTL) is not caught.
public struct AddressPolicy: Sendable {
    /// The host resolves to an address the policy does not allow: retrying cannot help.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The host did not resolve: perhaps a DNS outage, so the attempt is retried.
    public struct ResolutionFailure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Host names allowed whatever they resolve to, lowercased.
    let allowedHosts: Set<String>
    let allowedRanges: [AddressRange]

    /// - Parameter allowList: host names and CIDR ranges (`10.0.0.0/8`, `fd00::/8`, or a single
    ///   address); nil when an entry is neither.
    public init?(allowing allowList: [String] = []) {
        var hosts: Set<String> = []
        var ranges: [AddressRange] = []
        for entry in allowList.map({ $0.lowercased() }) where !entry.isEmpty {
            if let range = AddressRange(cidr: entry) {
                ranges.append(range)
            } else if entry.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) {
                hosts.insert(entry)
            } else {
                return nil
            }
        }
        allowedHosts = hosts
        allowedRanges = ranges
    }

    /// Resolves `host` and throws a ``Refusal`` naming the first address that is not allowed,
    /// or when the name does not resolve. Resolution runs on NIO's blocking-I/O thread pool.
    public func check(host: String) async throws {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if allowedHosts.contains(name.lowercased()) { return }
        // An IP literal needs no lookup (and no hop to the blocking-I/O threads).
        let addresses: [IPAddress]
        if let literal = IPAddress(name) {
            addresses = [literal]
        } else {
            addresses = try await NIOThreadPool.singleton.runIfActive { try Self.resolve(name) }
        }
        for address in addresses {
            if allowedRanges.contains(where: { $0.contains(address) }) { continue }
            if let category = address.restrictedCategory {
                throw Refusal(description: "\(name) resolves to \(address) (\(category)); allow it with --repair-allow")
            }
        }
    }

    static func resolve(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw ResolutionFailure(description: "\(host) does not resolve: \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = IPAddress(socketAddress: entry.pointee.ai_addr) { addresses.append(address) }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw ResolutionFailure(description: "\(host) has no IP address") }
        return addresses
    }
}

extension AddressPolicy {
    /// Checks the host of `url` before a POST: nil when it may go; otherwise the attempt's
    /// result, which halts on a refused address and is retried when the name did not resolve.
    public func verdict(for url: String) async -> AttemptResult? {
        guard let host = URL(string: url)?.host else {
            return AttemptResult(statusCode: nil, error: "not a URL", verdict: .halt)
        }
        do {
            try await check(host: host)
            return nil
        } catch let refusal as Refusal {
            return AttemptResult(statusCode: nil, error: "refused: \(refusal)", verdict: .halt)
        } catch {
            return AttemptResult(statusCode: nil, error: "\(error)", verdict: .retry(retryAfterMilliseconds: nil))
        }
    }
}
