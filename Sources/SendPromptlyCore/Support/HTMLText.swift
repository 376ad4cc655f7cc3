/// Text made safe for HTML and SVG markup that is built by hand (alert emails, the console's
/// charts); templates escape their own values.
public enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as character references: safe in element content and in
    /// quoted attribute values.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
