/// One reply of an SMTP server: a three-digit code and the text of its lines (RFC 5321 §4.2).
///
/// The text is kept as the server sent it, enhanced status code included
/// (`550 5.1.1 <x@example.com>: Recipient address rejected`), so that errors and reports can
/// show exactly what the server said.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    /// The text after the code of each line, in order; one element for a single-line reply.
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx: the command succeeded.
    public var isPositiveCompletion: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (354 after DATA, 334 during AUTH).
    public var isPositiveIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx: failed this time; the same command may succeed later.
    public var isTransientFailure: Bool { (400..<500).contains(code) }
    /// 5xx: failed; repeating the command will fail again.
    public var isPermanentFailure: Bool { (500..<600).contains(code) }

    /// The RFC 3463 enhanced status code at the start of the first line (`5.1.1`), if any.
    public var enhancedStatusCode: String? {
        guard let first = lines.first?.split(separator: " ", maxSplits: 1).first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]),
              parts.dropFirst().allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCIIDigit) })
        else { return nil }
        return String(first)
    }

    /// The code and every line's text, lines joined by a space:
    /// `550 5.1.1 <x@example.com>: Recipient address rejected`.
    public var description: String {
        ([String(code)] + lines.filter { !$0.isEmpty }).joined(separator: " ")
    }
}

/// Assembles replies from lines: `250-...` lines continue a reply, `250 ...` (or a bare `250`)
/// ends it (RFC 5321 §4.2.1). Every line of a reply must carry the same code.
struct SMTPReplyParser {
    /// A reply with more lines than this is refused rather than collected without end.
    static let maximumLines = 256

    private var code: Int?
    private var lines: [String] = []

    /// Takes the next line.
    ///
    /// - Returns: the reply once `line` ends it, `nil` while more lines belong to it.
    /// - Throws: `SMTPError.protocolViolation` for a line that is no reply line.
    mutating func consume(_ line: String) throws(SMTPError) -> SMTPReply? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(bytes[0]),
              bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else {
            throw .protocolViolation("the server sent a line that is no SMTP reply: \(Self.excerpt(line))")
        }
        let lineCode = Int(String(decoding: bytes[0...2], as: UTF8.self))!
        if let code, code != lineCode {
            throw .protocolViolation("the server changed the reply code from \(code) to \(lineCode) within one reply")
        }
        guard lines.count < Self.maximumLines else {
            throw .protocolViolation("the server sent a reply of more than \(Self.maximumLines) lines")
        }
        code = lineCode
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard bytes.count == 3 || bytes[3] == UInt8(ascii: " ") else { return nil }
        defer { self = SMTPReplyParser() }
        return SMTPReply(code: lineCode, lines: lines)
    }

    /// A malformed line as an error shows it: at most 100 characters.
    private static func excerpt(_ line: String) -> String {
        line.count > 100 ? "\"\(line.prefix(100))...\"" : "\"\(line)\""
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
