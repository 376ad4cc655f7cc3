import LibFuzzerDriver
import Foundation
import SendPromptlyCore

/// One input: a request body as a client could send it.
///
/// Checks, beyond "never traps": the parser's own writer reads back to the same document, and the
/// parser agrees with Foundation's `JSONSerialization` on which documents are JSON and on their
/// values (see ``FoundationDifferential`` for the documented differences it allows). Then the
/// receipt and result validators run on the same bytes, as the ingest routes run them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngestJSON(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let ours = try? JSON.parse(bytes)
    if let ours {
        checkRoundTrip(ours)
    }
    FoundationDifferential.check(bytes, ours: ours)
    _ = try? Receipt(body: bytes)
    _ = try? ResultReport(body: bytes)
    return 0
}

/// `serialized` must parse back to the same value: the server writes what it parsed into
/// responses and the console.
func checkRoundTrip(_ value: JSON) {
    let text = value.serialized
    guard let again = try? JSON.parse(Array(text.utf8)) else {
        fatalError("serialized form does not parse: \(text)")
    }
    guard again == value else {
        fatalError("round trip changed the value: \(value) -> \(text) -> \(again)")
    }
}

/// Foundation's parser as the reference for what is JSON.
///
/// Allowed differences, each a deliberate choice of ours:
/// - nesting deeper than ``JSON/maximumDepth`` is refused by us only;
/// - Foundation guesses UTF-16/UTF-32 from zero bytes and skips a byte-order mark; such inputs
///   are not compared (a zero byte is never valid UTF-8 JSON outside a string, where it must
///   be escaped);
/// - object members: we keep duplicates in order, Foundation keeps one; values are compared for
///   keys that occur once;
/// - a trailing comma (`[1,]`, `{"a":1,}`) is accepted by Foundation's parser, not by RFC 8259
///   nor by us;
/// - integers beyond 64 bits: Foundation keeps them as a `Decimal` (38 digits), whose
///   `doubleValue` is not always the nearest `Double`; we read the nearest `Double`. They must
///   agree to 12 significant digits.
enum FoundationDifferential {
    static func check(_ bytes: [UInt8], ours: JSON?) {
        guard !bytes.contains(0), !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return }
        let theirs = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        switch (ours, theirs) {
        case (nil, nil):
            return
        case (nil, let theirs?):
            if depth(theirs) > JSON.maximumDepth || hasTrailingComma(bytes) { return }
            fatalError("Foundation accepts what we refuse: \(String(decoding: bytes, as: UTF8.self)) -> \(theirs)")
        case (let ours?, nil):
            fatalError("we accept what Foundation refuses: \(String(decoding: bytes, as: UTF8.self)) -> \(ours)")
        case (let ours?, let theirs?):
            if let difference = compare(ours, theirs, path: "$") {
                fatalError("values differ at \(difference) for \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    /// Whether a `,` outside strings is followed, after whitespace, by `]` or `}`.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        var afterComma = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true; afterComma = false
            case UInt8(ascii: ","): afterComma = true
            case UInt8(ascii: "]"), UInt8(ascii: "}"): if afterComma { return true }
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default: afterComma = false
            }
        }
        return false
    }

    static func depth(_ value: Any) -> Int {
        if let array = value as? [Any] { return 1 + (array.map(depth).max() ?? -1) }
        if let object = value as? [String: Any] { return 1 + (object.values.map(depth).max() ?? -1) }
        return 0
    }

    /// The path of the first difference, or nil when the values agree.
    static func compare(_ ours: JSON, _ theirs: Any, path: String) -> String? {
        switch ours {
        case .null:
            return theirs is NSNull ? nil : path
        case .bool(let value):
            guard let number = theirs as? NSNumber, isBoolean(number), number.boolValue == value else { return path }
            return nil
        case .integer(let value):
            guard let number = theirs as? NSNumber, !isBoolean(number) else { return path }
            return number.int64Value == value || number.doubleValue == Double(value) ? nil : path
        case .number(let value):
            guard let number = theirs as? NSNumber, !isBoolean(number) else { return path }
            if number is NSDecimalNumber {
                return abs(number.doubleValue - value) <= abs(value) * 1e-12 ? nil : path
            }
            return number.doubleValue == value ? nil : path
        case .string(let value):
            guard let string = theirs as? String else { return path }
            return Array(string.unicodeScalars) == Array(value.unicodeScalars) ? nil : path
        case .array(let values):
            guard let array = theirs as? [Any], array.count == values.count else { return path }
            for (index, (mine, other)) in zip(values, array).enumerated() {
                if let difference = compare(mine, other, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        case .object(let members):
            guard let object = theirs as? [String: Any] else { return path }
            var occurrences: [String: Int] = [:]
            for (key, _) in members { occurrences[key, default: 0] += 1 }
            guard Set(occurrences.keys) == Set(object.keys) else { return path + " (keys)" }
            for (key, value) in members where occurrences[key] == 1 {
                guard let other = object[key] else { return "\(path).\(key)" }
                if let difference = compare(value, other, path: "\(path).\(key)") { return difference }
            }
            return nil
        }
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        // Foundation on Linux marks booleans with the type encoding of C's `char`/`BOOL`.
        String(cString: number.objCType) == "c" || String(cString: number.objCType) == "B"
    }
}

// The executable's entry: libFuzzer's driver, with the command line and the target above.
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzIngestJSON))
