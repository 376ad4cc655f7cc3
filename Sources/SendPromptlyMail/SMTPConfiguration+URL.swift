extension SMTPConfiguration {
    /// Why a URL could not be read. The description says which part is wrong and never quotes
    /// the URL: a password typed without percent-encoding could end up in any part of it.
    public struct InvalidURL: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String

        init(_ reason: String) {
            description = "invalid SMTP URL: \(reason)"
        }
    }

    /// Reads a configuration from a URL:
    ///
    /// - `smtp://[user:password@]host[:port][?starttls=required|optional|never]`: plain TCP;
    ///   port 587 by default; STARTTLS `required` (the default), `optional` (if offered) or
    ///   `never`, whatever the port.
    /// - `smtps://[user:password@]host[:port]`: implicit TLS; port 465 by default.
    ///
    /// User name and password are percent-decoded (`%40` for `@`, `%2F` for `/`, ...); both
    /// or neither must be given. Further query items: `ca_file=/path/ca.pem` (PEM certificates
    /// to trust instead of the system's) and `helo=name`. An IPv6 host is written in
    /// brackets. Other settings take their defaults from `init(host:port:...)`.
    ///
    /// - Throws: `InvalidURL` for anything else, such as an unknown scheme or query item, a
    ///   port outside 1...65535, a path, or a user name without a password.
    public init(url: String) throws(InvalidURL) {
        let security: Security
        let rest: Substring
        if url.lowercased().hasPrefix("smtp://") {
            security = .startTLSRequired
            rest = url.dropFirst("smtp://".count)
        } else if url.lowercased().hasPrefix("smtps://") {
            security = .implicitTLS
            rest = url.dropFirst("smtps://".count)
        } else {
            throw InvalidURL("the scheme must be smtp:// or smtps://")
        }
        guard !rest.contains("#") else { throw InvalidURL("a fragment (#...) is not allowed") }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var afterAuthority = rest[authorityEnd...]
        if afterAuthority.hasPrefix("/") { afterAuthority = afterAuthority.dropFirst() }
        guard afterAuthority.isEmpty || afterAuthority.hasPrefix("?") else {
            throw InvalidURL("a path is not allowed (a / in the password must be written %2F)")
        }

        var credentials: Credentials?
        var hostAndPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostAndPort = authority[authority.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else {
                throw InvalidURL("a user name needs a password (user:password@host)")
            }
            let username = try Self.percentDecoded(userInfo[..<colon], part: "user name")
            let password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], part: "password")
            guard !username.isEmpty, !password.isEmpty else {
                throw InvalidURL("the user name and the password must not be empty")
            }
            credentials = Credentials(username: username, password: password)
        }

        let (host, port) = try Self.hostAndPort(hostAndPort)
        self.init(
            host: host, port: port ?? (security == .implicitTLS ? 465 : 587),
            security: security, credentials: credentials)

        for item in afterAuthority.dropFirst().split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = try Self.percentDecoded(pair.count == 2 ? pair[1] : "", part: "query item")
            switch pair[0] {
            case "starttls":
                guard security != .implicitTLS else {
                    throw InvalidURL("starttls does not apply to smtps://, which uses TLS from the start")
                }
                switch value {
                case "required": self.security = .startTLSRequired
                case "optional": self.security = .startTLSIfAvailable
                case "never": self.security = .none
                default: throw InvalidURL("starttls must be required, optional or never")
                }
            case "ca_file":
                guard !value.isEmpty else { throw InvalidURL("ca_file must name a file") }
                trustedCAFile = value
            case "helo":
                guard !value.isEmpty, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    throw InvalidURL("helo must be printable ASCII without spaces")
                }
                heloName = value
            default:
                throw InvalidURL("unknown query item; the known ones are starttls, ca_file and helo")
            }
        }
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func hostAndPort(_ text: Substring) throws(InvalidURL) -> (String, Int?) {
        let host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw InvalidURL("an IPv6 host lacks its closing ]") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw InvalidURL("only a :port may follow an IPv6 host") }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw InvalidURL("the IPv6 host is not an IPv6 address")
            }
        } else {
            if let colon = text.firstIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            } else {
                host = text
            }
            guard !host.isEmpty else { throw InvalidURL("the host is missing") }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else {
                throw InvalidURL("the host may hold only letters, digits, '-', '.' and '_'")
            }
        }
        guard let portText else { return (String(host), nil) }
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65535).contains(port) else {
            throw InvalidURL("the port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }

    /// `text` with each `%XX` replaced by its byte; the result must be UTF-8.
    private static func percentDecoded(_ text: Substring, part: String) throws(InvalidURL) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw InvalidURL("the \(part) has a % not followed by two hexadecimal digits")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw InvalidURL("the \(part) is not UTF-8 once percent-decoded")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
