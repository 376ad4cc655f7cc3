/// RFC 3339 timestamps as the wire contract writes them: UTC, milliseconds, `Z`
/// (`2026-11-29T06:30:00.000Z`). Hand-written because Foundation's formatters are slow and
/// not `Sendable`-friendly on Linux, and the format is fixed.
public enum RFC3339 {
    /// Formats `timestamp` as `YYYY-MM-DDTHH:MM:SS.mmmZ`. (A year outside 0000...9999, which
    /// ``parse(_:)`` never gives, keeps all its digits and its sign.)
    ///
    /// The digits go straight into the string's storage, one allocation in all: every receipt's
    /// answer carries one of these, and appending piece by piece cost 2% of a receipt's CPU.
    public static func format(_ timestamp: Timestamp) -> String {
        let (days, millisOfDay) = floorDivide(timestamp.millisecondsSinceEpoch, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = millisOfDay / 1000
        // 24 bytes for years of four digits; an Int64 of milliseconds has years of at most nine.
        return String(unsafeUninitializedCapacity: 32) { text in
            var end = 0
            func put(_ value: Int64, width: Int, then separator: Character) {
                if value < 0 {
                    text[end] = UInt8(ascii: "-")
                    end += 1
                }
                var magnitude = value.magnitude
                var digits = 1
                var rest = magnitude / 10
                while rest > 0 {
                    digits += 1
                    rest /= 10
                }
                digits = max(width, digits)
                for offset in stride(from: digits - 1, through: 0, by: -1) {
                    text[end + offset] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                }
                text[end + digits] = separator.asciiValue!
                end += digits + 1
            }
            put(year, width: 4, then: "-")
            put(month, width: 2, then: "-")
            put(day, width: 2, then: "T")
            put(seconds / 3600, width: 2, then: ":")
            put(seconds / 60 % 60, width: 2, then: ":")
            put(seconds % 60, width: 2, then: ".")
            put(millisOfDay % 1000, width: 3, then: "Z")
            return end
        }
    }

    /// Parses an RFC 3339 date-time (`T` or space separator, optional fraction, `Z` or a
    /// numeric offset). Returns nil for anything else, including impossible dates.
    public static func parse(_ text: String) -> Timestamp? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ characters: Set<UInt8>) -> Bool {
            guard index < bytes.count, characters.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect([45]), let month = number(2), expect([45]),
              let day = number(2), expect([84, 116, 32]),
              let hour = number(2), expect([58]), let minute = number(2), expect([58]),
              let second = number(2)
        else { return nil }
        var millis: Int64 = 0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int64(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offsetMinutes: Int64 = 0
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 90, 122: // Z, z
            index += 1
        case 43, 45: // +, -
            let sign: Int64 = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect([58]), let offsetMins = number(2),
                  offsetHours < 24, offsetMins < 60
            else { return nil }
            offsetMinutes = sign * (offsetHours * 60 + offsetMins)
        default:
            return nil
        }
        guard index == bytes.count,
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61
        else { return nil }
        let days = self.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        let milliseconds = seconds * 1000 + millis
        // An offset can move an instant out of the four-digit years in UTC, where `format`
        // could not write it back: refused, rather than stored unprintable.
        guard representable.contains(milliseconds) else { return nil }
        return Timestamp(millisecondsSinceEpoch: milliseconds)
    }

    /// The instants `format` writes: 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z.
    private static let representable = days(fromCivil: 0, 1, 1) * 86_400_000..<days(fromCivil: 10_000, 1, 1) * 86_400_000

    static func append(_ value: Int64, width: Int, to text: inout String) {
        let digits = String(value)
        for _ in digits.count..<max(width, digits.count) { text.append("0") }
        text.append(digits)
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let quotient = a >= 0 ? a / b : (a - b + 1) / b
        return (quotient, a - quotient * b)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
