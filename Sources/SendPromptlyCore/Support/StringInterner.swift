/// Hands out one shared copy of each spelling it has seen, so that a million events of a
/// handful of event types (`checkout.session.completed`: too long for Swift's inline small
/// strings) hold references to a few heap strings rather than a million copies.
///
/// Bounded: once it knows `capacity` spellings it returns new ones as they are, so a client
/// sending a new event type with every receipt cannot grow it without limit.
struct StringInterner {
    private var spellings: Set<String> = []
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The shared copy equal to `string`.
    mutating func intern(_ string: String) -> String {
        if let known = spellings.firstIndex(of: string) { return spellings[known] }
        guard spellings.count < capacity else { return string }
        spellings.insert(string)
        return string
    }
}
