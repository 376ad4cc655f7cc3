import Foundation

/// The encodings a message needs to travel as 7-bit ASCII lines of at most 998 octets:
/// quoted-printable bodies (RFC 2045), encoded words in headers (RFC 2047), the RFC 5322 date.
enum MIMEEncoding {
    /// `text` as quoted-printable with CRLF line breaks. CRLF, a lone CR and a lone LF in
    /// `text` are each a line break; encoded lines are at most 76 characters (longer ones are
    /// continued with soft breaks), so the result is 7-bit ASCII of short lines. A line's
    /// leading `.` stays as it is: dot-stuffing is the transport's job.
    static func quotedPrintable(_ text: String) -> String {
        var output = ""
        var lineLength = 0
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                output += "\r\n"
                lineLength = 0
                index += byte == UInt8(ascii: "\r") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") ? 2 : 1
                continue
            }
            let endsLine = index + 1 == bytes.count || bytes[index + 1] == UInt8(ascii: "\r") || bytes[index + 1] == UInt8(ascii: "\n")
            let isPrintable = (33...126).contains(byte) && byte != UInt8(ascii: "=")
            let isBlank = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
            // Blanks at the end of a line would be taken for padding and dropped: encode them.
            let token = isPrintable || (isBlank && !endsLine) ? String(UnicodeScalar(byte)) : hex(byte)
            // 75 characters and the soft break's `=` make the longest line, 76.
            if lineLength + token.count > 75 {
                output += "=\r\n"
                lineLength = 0
            }
            output += token
            lineLength += token.count
            index += 1
        }
        return output
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// An unstructured header's value (Subject, a custom header), ready to follow `name: `.
    /// Line breaks become spaces. Text of printable ASCII that fits in a 78-character line is
    /// written as it is; anything else becomes UTF-8 encoded words folded onto lines of their
    /// own, which every reader joins back into the original text.
    static func unstructuredValue(_ value: String, name: String) -> String {
        let flat = flattened(value)
        let fits = name.utf8.count + 2 + flat.utf8.count <= 78
        if fits && flat.utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) && !flat.contains("=?") {
            return flat
        }
        return encodedWords(flat)
    }

    /// A mailbox for `From` and `To`: `"Name" <address>`, `=?UTF-8?B?...?= <address>` for a
    /// name that is not plain ASCII or longer than 64 bytes, or the bare address.
    static func mailbox(_ mailbox: MailAddress) -> String {
        guard let name = mailbox.displayName.map(flattened), !name.isEmpty else { return mailbox.address }
        if name.utf8.count <= 64 && name.utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) && !name.contains("=?") {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\" <\(mailbox.address)>"
        }
        return encodedWords(name) + " <\(mailbox.address)>"
    }

    /// `text` as `=?UTF-8?B?...?=` words of at most 75 characters, each holding whole
    /// Unicode scalars, separated by a folding CRLF and space.
    static func encodedWords(_ text: String) -> String {
        // 45 bytes make 60 base64 characters; with `=?UTF-8?B?` and `?=` a word of 72.
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 45 {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// Line breaks, and runs of them, replaced by one space: a value can never start a line.
    private static func flattened(_ value: String) -> String {
        value.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            .joined(separator: " ")
    }

    /// `date` as RFC 5322 writes it, in UTC: `Tue, 01 Jul 2025 09:30:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
