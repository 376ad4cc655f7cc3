import Foundation

/// Resolves a `serve` setting the way section 8 of the wire contract says: the flag, else the
/// environment variable `SENDPROMPTLY_<FLAG NAME>`, else the embedded default.
struct Setting {
    let environment: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    static func variable(for flag: String) -> String {
        "SENDPROMPTLY_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    func string(_ flag: String, _ value: String?) -> String? {
        value ?? environment[Self.variable(for: flag)].flatMap { $0.isEmpty ? nil : $0 }
    }

    func integer(_ flag: String, _ value: Int?, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        let resolved: Int
        if let value {
            resolved = value
        } else if let text = string(flag, nil) {
            guard let parsed = Int(text) else {
                throw StartupError("\(Self.variable(for: flag))=\(text) is not a whole number")
            }
            resolved = parsed
        } else {
            resolved = fallback
        }
        guard range.contains(resolved) else {
            throw StartupError("--\(flag) must be from \(range.lowerBound) to \(range.upperBound), not \(resolved)")
        }
        return resolved
    }

    /// A number of seconds (decimals allowed), as a duration.
    func seconds(_ flag: String, _ value: String?, default fallback: Duration, range: ClosedRange<Double>) throws -> Duration {
        guard let text = string(flag, value) else { return fallback }
        guard let seconds = Double(text), range.contains(seconds) else {
            throw StartupError("--\(flag) must be a number of seconds from \(range.lowerBound) to \(range.upperBound), not \(text)")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// A duration in whole seconds, spelled as seconds (`600`) or with a unit: `600s`, `90m`,
    /// `12h`, `30d`. Hand-written: the argument parser has no duration type, and Foundation's
    /// formatters parse no such spelling.
    func duration(_ flag: String, _ value: String?, default fallback: Int64, minimum: Int64) throws -> Int64 {
        guard let text = string(flag, value) else { return fallback }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let unit = text.last.flatMap { units[$0] }
        let digits = unit == nil ? Substring(text) : text.dropLast()
        // At most 100 years, checked before multiplying so that nothing overflows.
        let maximum: Int64 = 3_153_600_000
        guard let count = Int64(digits), count >= 0, count <= maximum / (unit ?? 1), count * (unit ?? 1) >= minimum else {
            throw StartupError("--\(flag) must be a duration of at least \(minimum) seconds, like 600, 600s, 90m, 12h or 30d, not \(text)")
        }
        return count * (unit ?? 1)
    }

    /// A flag set on the command line, or its variable set to `1`, `true` or `yes`.
    func flag(_ flag: String, _ value: Bool) throws -> Bool {
        if value { return true }
        guard let text = string(flag, nil)?.lowercased() else { return false }
        switch text {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw StartupError("\(Self.variable(for: flag))=\(text) must be true or false")
        }
    }
}

/// Why the server cannot start, said in one line on stderr with a non-zero exit.
struct StartupError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
