extension String {
    /// The text of `utf8`, or nil when it is not valid UTF-8.
    ///
    /// ASCII (identifiers, references, the fields' vocabulary: nearly every string a receipt or
    /// a snapshot carries) skips validation: `String(validating:as:)` is not specialised for
    /// buffers and checks slowly, where one pass over the bytes settles ASCII.
    init?(utf8Text utf8: UnsafeBufferPointer<UInt8>) {
        if utf8.allSatisfy({ $0 < 0x80 }) {
            self.init(decoding: utf8, as: UTF8.self)
        } else {
            guard let text = String(validating: utf8, as: UTF8.self) else { return nil }
            self = text
        }
    }
}
