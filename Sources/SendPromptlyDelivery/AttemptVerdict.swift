import Foundation

/// What one attempt's answer means for its delivery.
public enum AttemptVerdict: Sendable, Equatable {
    /// Accepted by the receiver.
    case delivered
    /// A transient failure: try again, not sooner than `retryAfterMilliseconds` when the
    /// receiver said so.
    case retry(retryAfterMilliseconds: Int64?)
    /// A failure that retrying cannot fix.
    case halt

    /// The answer of an HTTP receiver (a repair endpoint, a Slack webhook), by section 5 of
    /// the wire contract: a 2xx is delivered; a 5xx, 408 or 429 is retried (`Retry-After`
    /// honoured); a 3xx (redirects are never followed) or any other 4xx halts.
    public init(httpStatus statusCode: Int, retryAfter: String?, now: Date) {
        switch statusCode {
        case 200..<300: self = .delivered
        case 408, 429, 500..<600: self = .retry(retryAfterMilliseconds: retryAfter.flatMap { Self.parseRetryAfter($0, now: now) })
        default: self = .halt
        }
    }

    /// The longest `Retry-After` honoured; a receiver asking for more is retried after this.
    public static let maximumRetryAfterMilliseconds: Int64 = 6 * 3600 * 1000

    /// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3), in
    /// milliseconds from `now`, capped at ``maximumRetryAfterMilliseconds``.
    static func parseRetryAfter(_ value: String, now: Date) -> Int64? {
        let text = value.trimmingCharacters(in: .whitespaces)
        let milliseconds: Int64
        if let seconds = Int64(text), seconds >= 0 {
            milliseconds = seconds.multipliedReportingOverflow(by: 1000).overflow ? .max : seconds * 1000
        } else if let date = httpDate().date(from: text) {
            milliseconds = max(0, Int64(date.timeIntervalSince(now) * 1000))
        } else {
            return nil
        }
        return min(milliseconds, maximumRetryAfterMilliseconds)
    }

    /// A new formatter per use: a shared one is not safe across threads on every
    /// swift-corelibs-foundation.
    private static func httpDate() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}
