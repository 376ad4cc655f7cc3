/// A string held by reference: 8 bytes in a row where a `String` takes 16, and one copy for
/// every row that shares it (``StringInterner``).
final class SharedText: Sendable {
    let string: String

    init(_ string: String) {
        self.string = string
    }
}

/// Hands out one shared copy of each spelling it has seen, so that a million events of a
/// handful of event types hold references to a few boxed strings rather than a million
/// copies (`checkout.session.completed` is too long for Swift's inline small strings).
///
/// Bounded: once it knows `capacity` spellings it boxes new ones for their caller alone, so a
/// client sending a new event type with every receipt cannot grow it without limit.
struct StringInterner {
    private var shared: [String: SharedText] = [:]
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The shared copy of `string`.
    mutating func intern(_ string: String) -> SharedText {
        if let known = shared[string] { return known }
        let text = SharedText(string)
        if shared.count < capacity { shared[string] = text }
        return text
    }
}
