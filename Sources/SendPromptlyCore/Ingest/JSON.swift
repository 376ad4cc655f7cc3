/// A parsed JSON document, objects keeping their members in order.
///
/// Hand-written rather than Foundation's `JSONDecoder`/`JSONSerialization` because the ingest
/// path needs what those do not give cheaply: the exact JSON type of each member (to name the
/// field at fault), the member count before any decoding (`too_many_fields`), a nesting limit on
/// untrusted input, and deterministic member order on output. It is one small recursive-descent
/// parser and writer, with no `Any`.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The first member named `key`, when this is an object.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// Members nest at most this deep; deeper documents are rejected, not parsed.
    public static let maximumDepth = 32

    public struct SyntaxError: Error, Equatable {
        public let offset: Int
    }

    /// Parses a whole UTF-8 document; trailing non-space bytes and invalid UTF-8 are errors.
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(SyntaxError) -> JSON where Bytes.Element == UInt8 {
        // Contiguous bytes (a request body's buffer, an array) are parsed where they lie.
        let parsed = bytes.withContiguousStorageIfAvailable { buffer in Result { () throws(SyntaxError) in try parse(buffer) } }
        return try (parsed ?? Array(bytes).withUnsafeBufferPointer { buffer in Result { () throws(SyntaxError) in try parse(buffer) } }).get()
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> JSON {
        var parser = Parser(bytes: buffer)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw SyntaxError(offset: parser.index) }
        return value
    }

    /// Compact UTF-8 serialisation.
    public var serialized: String {
        var output: [UInt8] = []
        write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the compact UTF-8 serialisation to `output`. Written as bytes rather than
    /// appended to a `String` scalar by scalar: a caller answering many requests keeps one
    /// array and empties it between them (keeping its capacity), so an answer allocates nothing.
    public func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value): output.append(contentsOf: String(value).utf8)
        case .number(let value):
            output.append(contentsOf: (value.isFinite ? String(value) : "null").utf8)
        case .string(let value): JSON.writeString(value, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSON.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A string literal: runs of bytes that need no escape are copied whole; `"`, `\\`, the
    /// control characters, and `<`, `>`, `&`, U+2028 and U+2029 (so that JSON embedded in a page
    /// can never close a script element) are escaped.
    private static func writeString(_ value: String, to output: inout [UInt8]) {
        var value = value
        output.append(UInt8(ascii: "\""))
        value.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let escape: [UInt8]?
                var length = 1
                switch byte {
                case UInt8(ascii: "\""): escape = Array(#"\""#.utf8)
                case UInt8(ascii: "\\"): escape = Array(#"\\"#.utf8)
                case UInt8(ascii: "\n"): escape = Array(#"\n"#.utf8)
                case UInt8(ascii: "\r"): escape = Array(#"\r"#.utf8)
                case UInt8(ascii: "\t"): escape = Array(#"\t"#.utf8)
                case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), 0..<0x20: escape = unicodeEscape(UInt32(byte))
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    escape = unicodeEscape(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029)
                    length = 3
                default: escape = nil
                }
                if let escape {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    output.append(contentsOf: escape)
                    index += length
                    runStart = index
                } else {
                    index += 1
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// `\\u` and four lowercase hex digits.
    private static func unicodeEscape(_ value: UInt32) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return Array(#"\u"#.utf8) + [12, 8, 4, 0].map { digits[Int(value >> $0 & 0xF)] }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSON {
    /// `.string(value)`, or `.null` for nil.
    public static func optional(_ value: String?) -> JSON {
        value.map(JSON.string) ?? .null
    }
}

/// Reads bytes that outlive it: ``JSON/parse(_:)`` makes one for the span of a call.
private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    func error() -> JSON.SyntaxError { JSON.SyntaxError(offset: index) }

    mutating func parseValue(depth: Int) throws(JSON.SyntaxError) -> JSON {
        guard depth <= JSON.maximumDepth else { throw error() }
        skipWhitespace()
        guard index < bytes.count else { throw error() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try parseNumber()
        }
    }

    mutating func literal(_ word: StaticString) throws(JSON.SyntaxError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw error()
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSON.SyntaxError) -> JSON {
        index += 1
        var members: [(String, JSON)] = []
        // Room for a request body's usual members at once, rather than growing 1, 2, 4, 8.
        members.reserveCapacity(8)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error() }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error() }
            index += 1
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard index < bytes.count else { throw error() }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error()
        }
    }

    mutating func parseArray(depth: Int) throws(JSON.SyntaxError) -> JSON {
        index += 1
        var values: [JSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            values.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error() }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
            throw error()
        }
    }

    mutating func parseString() throws(JSON.SyntaxError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
              bytes[index] >= 0x20 {
            index += 1
        }
        guard index < bytes.count else { throw error() }
        if bytes[index] == UInt8(ascii: "\"") {
            guard let text = String(utf8Text: UnsafeBufferPointer(rebasing: bytes[start..<index])) else { throw error() }
            index += 1
            return text
        }
        var scalars = String.UnicodeScalarView()
        guard let prefix = String(utf8Text: UnsafeBufferPointer(rebasing: bytes[start..<index])) else { throw error() }
        scalars.append(contentsOf: prefix.unicodeScalars)
        var runStart = index
        func flushRun(_ parser: Parser, to scalars: inout String.UnicodeScalarView) throws(JSON.SyntaxError) {
            guard let run = String(utf8Text: UnsafeBufferPointer(rebasing: parser.bytes[runStart..<parser.index])) else {
                throw parser.error()
            }
            scalars.append(contentsOf: run.unicodeScalars)
        }
        while true {
            guard index < bytes.count else { throw error() }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                try flushRun(self, to: &scalars)
                index += 1
                return String(scalars)
            }
            guard byte >= 0x20 else { throw error() }
            if byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            try flushRun(self, to: &scalars)
            index += 1
            guard index < bytes.count else { throw error() }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var value = try hex4()
                if (0xD800...0xDBFF).contains(value) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                          bytes[index + 1] == UInt8(ascii: "u") else { throw error() }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error() }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(value) else { throw error() }
                scalars.append(scalar)
            default:
                throw error()
            }
            runStart = index
        }
    }

    mutating func hex4() throws(JSON.SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error() }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 65...70: digit = byte - 55
            case 97...102: digit = byte - 87
            default: throw error()
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    mutating func parseNumber() throws(JSON.SyntaxError) -> JSON {
        let start = index
        func digits(_ parser: inout Parser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.count, parser.bytes[parser.index] >= 48, parser.bytes[parser.index] <= 57 {
                parser.index += 1
            }
            return parser.index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw error() }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw error() }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            isInteger = false
            guard digits(&self) > 0 else { throw error() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            isInteger = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw error() }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .integer(value) }
        // A literal beyond Double's range (1e400) would read as infinity, which JSON cannot
        // write back: refused, as Foundation's parser refuses it.
        guard let value = Double(text), value.isFinite else { throw JSON.SyntaxError(offset: start) }
        return .number(value)
    }
}
