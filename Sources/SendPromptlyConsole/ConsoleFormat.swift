import SendPromptlyCore

/// How the console writes values for people.
enum ConsoleFormat {
    /// `2026-11-30 13:45:12 UTC`; nil for nil.
    static func time(_ timestamp: Timestamp?) -> String? {
        guard let timestamp else { return nil }
        let text = RFC3339.format(timestamp)
        return text.prefix(10) + " " + text.dropFirst(11).prefix(8) + " UTC"
    }

    /// `2026-11-30T13:45`, as an `<input type="datetime-local">` shows and sends it (UTC here).
    static func minute(_ timestamp: Timestamp?) -> String? {
        timestamp.map { String(RFC3339.format($0).prefix(16)) }
    }

    /// Reads what a `datetime-local` input sends (`2026-11-30T13:45`, seconds optional) as UTC;
    /// full RFC 3339 is accepted too. Nil for an empty field.
    static func parseMinute(_ text: String?) throws(EngineError) -> Timestamp? {
        guard let text, !text.isEmpty else { return nil }
        let completed: String
        switch text.count {
        case 16: completed = text + ":00Z"
        case 19: completed = text + "Z"
        default: completed = text
        }
        guard let timestamp = RFC3339.parse(completed) else {
            throw .validation(field: nil, message: "\(text) is not a date and time like 2026-11-30T13:45")
        }
        return timestamp
    }

    /// A duration in milliseconds as `850 ms`, `2.4 s` or `3.0 min`.
    static func duration(milliseconds: Int64?) -> String {
        guard let milliseconds else { return "–" }
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds < 60_000 { return oneDecimal(Double(milliseconds) / 1000) + " s" }
        return oneDecimal(Double(milliseconds) / 60_000) + " min"
    }

    /// A rate per minute: two decimals below 10 (a quiet project's hour still shows), one above.
    static func rate(_ value: Double) -> String {
        guard value < 10 else { return oneDecimal(value) }
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100)." + (hundredths % 100 < 10 ? "0" : "") + "\(hundredths % 100)"
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((abs(value) * 10).rounded())
        return (value < 0 && tenths > 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }

    /// Choices of a `<select>`, the current one selected.
    static func options<Choice: RawRepresentable>(
        _ choices: [Choice], selected: Choice?, any: String? = nil
    ) -> [SelectOption] where Choice.RawValue == String {
        var options = any.map { [SelectOption(value: "", label: $0, selected: selected == nil)] } ?? []
        for choice in choices {
            options.append(SelectOption(value: choice.rawValue, label: choice.rawValue, selected: choice.rawValue == selected?.rawValue))
        }
        return options
    }
}

/// One `<option>` of a `<select>`.
struct SelectOption {
    let value: String
    let label: String
    let selected: Bool
}
