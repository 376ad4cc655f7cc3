import NIOCore

/// A whole HTTP/1.1 request encoded once, with fixed-width decimal slots that are overwritten in
/// place for each event: the generator sends unique idempotency keys and provider event ids
/// without building a string, a header list or a JSON body per request.
///
/// Slots are runs of `RequestTemplate.slot` in the text; every slot of one request receives the
/// same number, zero-padded to `RequestTemplate.digits`. Because the width is fixed, the
/// `Content-Length` computed once stays right.
public struct RequestTemplate: Sendable {
    /// Marks a slot in the text given to `init`; as wide as the number written into it.
    public static let slot = String(repeating: "#", count: digits)
    /// Up to 10^12 events a run.
    public static let digits = 12

    /// The request with its slots as last filled; hand it to the connection as is.
    public private(set) var buffer: ByteBuffer
    private let slotOffsets: [Int]

    /// A request with `headers` besides Host and Content-Length (and, with a body,
    /// Content-Type: application/json).
    public init(method: String, path: String, host: String, headers: [(String, String)], body: String? = nil) {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body {
            text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            text += "\r\n"
        }
        let bytes = Array(text.utf8)
        let marker = Array(Self.slot.utf8)
        var offsets: [Int] = []
        var index = 0
        while index + marker.count <= bytes.count {
            if bytes[index..<(index + marker.count)].elementsEqual(marker) {
                offsets.append(index)
                index += marker.count
            } else {
                index += 1
            }
        }
        slotOffsets = offsets
        buffer = ByteBuffer(bytes: bytes)
    }

    /// Writes `number` into every slot. No allocation once the buffer is no longer shared with
    /// a write in flight, which holds with one request in flight per connection.
    public mutating func fill(_ number: Int) {
        precondition(number >= 0, "event numbers are not negative")
        for offset in slotOffsets {
            var rest = number
            for position in stride(from: Self.digits - 1, through: 0, by: -1) {
                buffer.setInteger(UInt8(ascii: "0") + UInt8(rest % 10), at: offset + position)
                rest /= 10
            }
        }
    }

    /// The request as text (for tests and error messages).
    public var text: String { String(buffer: buffer) }
}

/// The requests of one benchmark run against one project, built once per connection.
public struct IngestRequests: Sendable {
    public var receipts: [EventKind: RequestTemplate]
    public var successResult: RequestTemplate
    public var failedResult: RequestTemplate

    /// `run` keeps the keys and provider ids of this run apart from any earlier run on the same
    /// server; `silentTimeoutSeconds` is the deadline of receipts that never report, while the
    /// others get 30 minutes, far beyond any run's results.
    public init(host: String, apiKey: String, run: String, silentTimeoutSeconds: Int) {
        let headers = [("Authorization", "Bearer \(apiKey)"), ("Accept", "application/json")]
        let provider = Self.providerEventIDPrefix(run: run) + RequestTemplate.slot
        func receipt(timeoutSeconds: Int) -> RequestTemplate {
            RequestTemplate(
                method: "POST", path: "/api/v1/receipt", host: host,
                headers: headers + [("Idempotency-Key", "r-\(run)-\(RequestTemplate.slot)")],
                body: #"{"provider":"stripe","provider_event_id":"\#(provider)","event_type":"invoice.paid","effect_type":"credit_grant","timeout_seconds":\#(timeoutSeconds)}"#)
        }
        func result(_ status: String, extra: String = "") -> RequestTemplate {
            RequestTemplate(
                method: "POST", path: "/api/v1/result", host: host,
                headers: headers + [("Idempotency-Key", "s-\(run)-\(RequestTemplate.slot)")],
                body: #"{"provider_event_id":"\#(provider)","status":"\#(status)"\#(extra)}"#)
        }
        receipts = [
            .success: receipt(timeoutSeconds: 1800),
            .fail: receipt(timeoutSeconds: 1800),
            .silent: receipt(timeoutSeconds: silentTimeoutSeconds),
        ]
        successResult = result("success")
        failedResult = result("failed", extra: #","error_code":"bench_failure""#)
    }

    /// Event `n` of run `run` has provider event id `bench-<run>-<n, 12 digits>`.
    public static func providerEventIDPrefix(run: String) -> String { "bench-\(run)-" }

    /// The event number in a provider event id of run `run`; nil for any other id.
    public static func eventNumber(providerEventID: String, run: String) -> Int? {
        let prefix = providerEventIDPrefix(run: run)
        guard providerEventID.hasPrefix(prefix) else { return nil }
        let digits = providerEventID.dropFirst(prefix.count)
        guard digits.count == RequestTemplate.digits else { return nil }
        return Int(digits)
    }
}
