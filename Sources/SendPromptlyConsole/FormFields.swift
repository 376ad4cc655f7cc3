import Foundation

/// The fields of an `application/x-www-form-urlencoded` body, as browsers send forms. A field
/// sent twice keeps its first value.
struct FormFields: Sendable {
    private let pairs: [(String, String)]

    init(encoded text: String) {
        pairs = text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    private static func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The field's value, nil when absent.
    subscript(name: String) -> String? {
        pairs.first { $0.0 == name }?.1
    }

    /// The field's value with surrounding white space removed; nil when absent or blank.
    func trimmed(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
