/// The `Date` header's format (RFC 9110 IMF-fixdate: `Mon, 30 Nov 2026 15:37:10 GMT`), written
/// by hand for the same reason as ``RFC3339``: the ingest path sends one with every answer.
public enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats the second `secondsSinceEpoch` (UTC).
    public static func format(secondsSinceEpoch: Int64) -> String {
        let (days, secondOfDay) = RFC3339.floorDivide(secondsSinceEpoch, 86_400)
        let (year, month, day) = RFC3339.civil(fromDays: days)
        // 1 January 1970 was a Thursday.
        var text = weekdays[Int(RFC3339.floorDivide(days, 7).1)] + ", "
        text.reserveCapacity(29)
        RFC3339.append(day, width: 2, to: &text)
        text += " " + months[Int(month - 1)] + " "
        RFC3339.append(year, width: 4, to: &text)
        text += " "
        RFC3339.append(secondOfDay / 3600, width: 2, to: &text)
        text += ":"
        RFC3339.append(secondOfDay / 60 % 60, width: 2, to: &text)
        text += ":"
        RFC3339.append(secondOfDay % 60, width: 2, to: &text)
        return text + " GMT"
    }
}
