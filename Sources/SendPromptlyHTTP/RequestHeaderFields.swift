import HTTPTypes
import NIOHTTP1

/// The header lookups ``RequestGuards`` make, over either form a request's headers arrive in:
/// HTTP types' `HTTPFields` (requests the router answers) or NIO's `HTTPHeaders` (those
/// ``IngestChannelHandler`` answers below the HTTP-types codec). Both give the same answer for
/// the same bytes on the wire: names match without regard to case, a value has no whitespace
/// around it, and a field sent more than once reads as its values joined with ", ".
protocol RequestHeaderFields {
    /// The value of the field `name`, its values joined with ", " when it appears more than
    /// once; `nil` when it is absent.
    func value(of name: HTTPField.Name) -> String?
    /// Every value of the field `name`, in the order they came.
    func values(of name: HTTPField.Name) -> [String]
}

extension HTTPFields: RequestHeaderFields {
    /// Without joining a copy when the field appears once, as it nearly always does: the copy
    /// was most of the cost of reading a header on the ingest path, which reads six.
    func value(of name: HTTPField.Name) -> String? {
        guard let first = firstIndex(where: { $0.name == name }) else { return nil }
        if self[index(after: first)...].contains(where: { $0.name == name }) { return self[name] }
        return self[first].value
    }

    func values(of name: HTTPField.Name) -> [String] {
        self[values: name]
    }
}

/// NIO's decoder drops the whitespace before a value but keeps what trails it, which HTTP
/// types trim (RFC 9110 §5.5: it is not part of the value).
extension HTTPHeaders: RequestHeaderFields {
    func value(of name: HTTPField.Name) -> String? {
        var found: String?
        var joined: String?
        for (fieldName, value) in self where Self.is(fieldName, name) {
            let value = Self.trimmed(value)
            if let first = found {
                joined = (joined ?? first) + ", " + value
            } else {
                found = value
            }
        }
        return joined ?? found
    }

    func values(of name: HTTPField.Name) -> [String] {
        compactMap { Self.is($0.name, name) ? Self.trimmed($0.value) : nil }
    }

    /// `value` without trailing spaces and tabs; itself (no copy) when it has none, as nearly
    /// every value does.
    private static func trimmed(_ value: String) -> String {
        let isWhitespace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let last = value.utf8.last, isWhitespace(last) else { return value }
        let end = value.utf8.lastIndex { !isWhitespace($0) }.map { value.utf8.index(after: $0) } ?? value.startIndex
        return String(value[..<end])
    }

    /// Whether the field name as it came on the wire is `name` (whose canonical form is lowercase).
    private static func `is`(_ wireName: String, _ name: HTTPField.Name) -> Bool {
        let canonical = name.canonicalName.utf8
        let wire = wireName.utf8
        guard wire.count == canonical.count else { return false }
        // A field name is a token: ASCII only, so folding A–Z is all its case takes.
        return wire.elementsEqual(canonical) { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
    }
}
