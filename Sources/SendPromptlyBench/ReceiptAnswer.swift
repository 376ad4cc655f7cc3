import NIOCore

/// Reads `event_id` from a receipt's 202 body by scanning its bytes: the one field the
/// generator needs from the hot path's answers, found without a JSON parser per request.
enum ReceiptAnswer {
    private static let key = Array(#""event_id""#.utf8)

    /// The string value of the first `"event_id"` member, or nil when there is none.
    static func eventID(in body: ByteBuffer) -> String? {
        body.withUnsafeReadableBytes { bytes -> String? in
            guard bytes.count > key.count else { return nil }
            var index = 0
            while index + key.count <= bytes.count {
                if bytes[index] == key[0], bytes[index..<(index + key.count)].elementsEqual(key) { break }
                index += 1
            }
            index += key.count
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: ":") { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }
}
