// The snapshot's encoding of a project's events and idempotency records from format version 3
// on: column by column instead of record by record. A million pending receipts are a million
// records of the same shape; written as columns (identifiers as differences from the one
// before, times as differences from a neighbouring time, repeated strings as indices into a
// table), most columns are runs that zlib shrinks to almost nothing, and a decoder makes no
// String for a repeated event type and parses no identifier text.

/// Identifiers of one kind in increasing order (a shard issues them so), each written as the
/// difference from the one before: an identifier made in the same millisecond as the previous
/// one is a byte and a small varint.
struct IdentifierDeltas<Kind: IdentifierKind> {
    private enum Tag: UInt8 {
        /// Same millisecond and random high bits: the low bits' increase follows.
        case sameMillisecond = 0
        /// The millisecond's difference, then the random bits in full.
        case newMillisecond = 1
        /// The identifier's text follows. No longer written (every identifier is a ULID now);
        /// read for snapshots written while identifiers were strings.
        case text = 2
    }

    private var previous = ULID(millisecond: 0, high: 0, low: 0)

    mutating func write(_ id: Identifier<Kind>, to writer: inout BinaryWriter) {
        let ulid = id.ulid
        if ulid.millisecond == previous.millisecond, ulid.high == previous.high, ulid.low > previous.low {
            writer.write(Tag.sameMillisecond.rawValue)
            writer.write(varint: ulid.low - previous.low)
        } else {
            writer.write(Tag.newMillisecond.rawValue)
            writer.write(Int64(ulid.millisecond) - Int64(previous.millisecond))
            writer.write(varint: UInt64(ulid.high))
            writer.write(fixed: ulid.low)
        }
        previous = ulid
    }

    mutating func read(from reader: inout BinaryReader) throws(BinaryDecodingError) -> Identifier<Kind> {
        switch Tag(rawValue: try reader.readByte()) {
        case .sameMillisecond:
            let (low, overflow) = previous.low.addingReportingOverflow(try reader.readVarint())
            guard !overflow else { throw reader.failure("identifier out of range") }
            previous.low = low
        case .newMillisecond:
            let millisecond = Int64(previous.millisecond).addingReportingOverflow(try reader.readInt64())
            guard !millisecond.overflow, (0...0xFFFF_FFFF_FFFF).contains(millisecond.partialValue),
                  let high = UInt16(exactly: try reader.readVarint())
            else { throw reader.failure("identifier out of range") }
            previous = ULID(millisecond: UInt64(millisecond.partialValue), high: high, low: try reader.readFixedUInt64())
        case .text:
            // The writer of such a snapshot left `previous` alone here; so does the reader.
            return try reader.read()
        case nil:
            throw reader.failure("unknown identifier encoding")
        }
        return Identifier(ulid: previous)
    }
}

/// Strings that repeat from record to record (event types, the spellings of a closed
/// vocabulary), each written once in a table; records hold their index.
struct StringTable {
    private var indices: [String: Int] = [:]
    private var strings: [String] = []
    /// The last string looked up and its index: neighbouring records mostly repeat it, and
    /// comparing with it costs less than hashing.
    private var last: (string: String, index: Int)?

    mutating func index(of string: String) -> Int {
        if let last, last.string == string { return last.index }
        let index = lookUp(string)
        last = (string, index)
        return index
    }

    private mutating func lookUp(_ string: String) -> Int {
        if let index = indices[string] { return index }
        strings.append(string)
        indices[string] = strings.count - 1
        return strings.count - 1
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(strings)
    }

    /// The table's strings; a decoder looks indices up in it.
    static func read(from reader: inout BinaryReader) throws(BinaryDecodingError) -> [String] {
        try reader.readStrings()
    }
}

extension BinaryReader {
    /// An index into a table of `count` entries.
    mutating func readIndex(below count: Int) throws(BinaryDecodingError) -> Int {
        let index = try readVarint()
        guard index < UInt64(count) else { throw failure("index \(index) outside a table of \(count)") }
        return Int(index)
    }

    /// A table of a closed vocabulary's spellings, as the values they spell.
    mutating func readVocabulary<Value: RawRepresentable>(_ type: Value.Type) throws(BinaryDecodingError) -> [Value] where Value.RawValue == String {
        var values: [Value] = []
        for raw in try StringTable.read(from: &self) {
            guard let value = Value(rawValue: raw) else { throw failure("unknown value \(raw)") }
            values.append(value)
        }
        return values
    }
}

/// A project's events, in creation order, as columns:
///
/// ```
/// count | pending count | providers table | event types table | effect types table | states table
/// | identifiers | indices (provider, event type, effect type, state)
/// | times (accepted-at as difference from the previous event's, timeout-at from accepted-at)
/// | provider event ids | references (internal reference?, Shopify shop domain?)
/// | details (occurred-at?, timeout seconds?, incident id?, result-at?, last error?)
/// ```
/// Each column after the tables is a section (length-prefixed), so a decoder reads them side
/// by side in one pass.
struct EventColumns {
    private var count = 0
    private var pending = 0
    private var providers = StringTable()
    private var eventTypes = StringTable()
    private var effectTypes = StringTable()
    private var states = StringTable()
    private var ids = IdentifierDeltas<EventKind>()
    private var idColumn = BinaryWriter()
    private var indexColumn = BinaryWriter()
    private var timeColumn = BinaryWriter()
    private var providerEventIDColumn = BinaryWriter()
    private var referenceColumn = BinaryWriter()
    private var detailColumn = BinaryWriter()
    private var previousAcceptedAt: Int64 = 0

    init(capacity: Int) {
        idColumn = BinaryWriter(capacity: capacity * 2)
        indexColumn = BinaryWriter(capacity: capacity * 4)
        timeColumn = BinaryWriter(capacity: capacity * 4)
        providerEventIDColumn = BinaryWriter(capacity: capacity * 32, content: .text)
        referenceColumn = BinaryWriter(capacity: capacity * 4)
        detailColumn = BinaryWriter(capacity: capacity * 4)
    }

    mutating func append(_ event: EventRecord) {
        count += 1
        if event.state == .pending { pending += 1 }
        ids.write(event.id, to: &idColumn)
        indexColumn.write(varint: UInt64(providers.index(of: event.provider.rawValue)))
        indexColumn.write(varint: UInt64(eventTypes.index(of: event.eventTypeSpelling)))
        indexColumn.write(varint: UInt64(effectTypes.index(of: event.effectType.rawValue)))
        indexColumn.write(varint: UInt64(states.index(of: event.state.rawValue)))
        let acceptedAt = event.acceptedAt.millisecondsSinceEpoch
        timeColumn.write(acceptedAt &- previousAcceptedAt)
        timeColumn.write(event.timeoutAt.millisecondsSinceEpoch &- acceptedAt)
        previousAcceptedAt = acceptedAt
        providerEventIDColumn.write(event.providerEventID)
        referenceColumn.write(event.internalReference)
        referenceColumn.write(event.shopifyShopDomain)
        detailColumn.write(event.occurredAt)
        detailColumn.write(event.ownTimeoutSeconds)
        detailColumn.write(event.incidentID)
        detailColumn.write(event.resultAt)
        detailColumn.write(event.lastError)
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(varint: UInt64(count))
        writer.write(varint: UInt64(pending))
        for table in [providers, eventTypes, effectTypes, states] { table.write(to: &writer) }
        for column in [idColumn, indexColumn, timeColumn, providerEventIDColumn, referenceColumn, detailColumn] {
            writer.write(section: column)
        }
    }

    /// Calls `reserve` with the number of events and of pending ones, then `body` with each
    /// event in the order they were appended and the reader it came from (to name the place of
    /// a failure).
    ///
    /// `sharedSpelling` gives the shared copy of an event type's spelling (the shard's
    /// ``StringInterner``), once per spelling in the snapshot: restored events and the
    /// shard's new receipts of a type share one.
    static func read(
        from reader: inout BinaryReader, sharedSpelling: (String) -> SharedText,
        reserve: (_ count: Int, _ pending: Int) -> Void,
        each body: (EventRecord, BinaryReader) throws(BinaryDecodingError) -> Void
    ) throws(BinaryDecodingError) {
        let count = try reader.readCount()
        let pending = try reader.readVarint()
        guard pending <= UInt64(count) else { throw reader.failure("\(pending) pending of \(count) events") }
        reserve(count, Int(pending))
        let providers = try reader.readVocabulary(Provider.self)
        let eventTypes = try StringTable.read(from: &reader).map(sharedSpelling)
        let effectTypes = try reader.readVocabulary(EffectType.self)
        let states = try reader.readVocabulary(EventState.self)
        var ids = IdentifierDeltas<EventKind>()
        var idColumn = try reader.readSection()
        var indexColumn = try reader.readSection()
        var timeColumn = try reader.readSection()
        var providerEventIDColumn = try reader.readSection()
        var referenceColumn = try reader.readSection()
        var detailColumn = try reader.readSection()
        var acceptedAt: Int64 = 0
        for _ in 0..<count {
            let id = try ids.read(from: &idColumn)
            let provider = providers[try indexColumn.readIndex(below: providers.count)]
            let eventType = eventTypes[try indexColumn.readIndex(below: eventTypes.count)]
            let effectType = effectTypes[try indexColumn.readIndex(below: effectTypes.count)]
            let state = states[try indexColumn.readIndex(below: states.count)]
            acceptedAt &+= try timeColumn.readInt64()
            let timeoutSpan = try timeColumn.readInt64()
            let occurredAt: Timestamp? = try detailColumn.readOptional()
            let timeoutSeconds = try detailColumn.readOptionalInt64()
            guard TimeoutSpan.fits(milliseconds: timeoutSpan, ownSeconds: timeoutSeconds) else {
                throw timeColumn.failure("timeout \(timeoutSpan) ms after acceptance, own \(timeoutSeconds.map(String.init) ?? "none")")
            }
            try body(EventRecord(
                id: id, provider: provider, providerEventID: try providerEventIDColumn.readPackedText(), eventType: eventType,
                effectType: effectType, internalReference: try referenceColumn.readOptionalString(),
                occurredAt: occurredAt, shopifyShopDomain: try referenceColumn.readOptionalString(),
                timeoutSeconds: timeoutSeconds, acceptedAt: Timestamp(millisecondsSinceEpoch: acceptedAt),
                timeoutAt: Timestamp(millisecondsSinceEpoch: acceptedAt &+ timeoutSpan), state: state,
                incidentID: try detailColumn.readOptional(), resultAt: try detailColumn.readOptional(),
                lastError: try detailColumn.readOptional()), idColumn)
        }
        for column in [idColumn, indexColumn, timeColumn, providerEventIDColumn, referenceColumn, detailColumn] {
            guard column.isAtEnd else { throw column.failure("column longer than its \(count) events") }
        }
    }
}

/// A project's live idempotency records, oldest first, as columns:
///
/// ```
/// count | key prefixes (a string table, version 5 on) | key spellings (version 5 on: a varint
///   per record, 0 when its digest is in the next column, k when its key is prefix k - 1 around
///   the answered event's provider event id, ``IdempotencyKeyPrefixes``)
/// | keys (16-byte digests from version 4 on, the keys before) | fingerprints (8 bytes each from
///   version 5 on, 16 before)
/// | answers (expiry as difference from the previous record's, then 0 and the receipt's answer
///   — event id as a difference, timeout-at from the expiry, duplicate — or 1 and the result's)
/// ```
struct IdempotencyColumns {
    private let prefixes: IdempotencyKeyPrefixes
    private var count = 0
    private var spellingColumn: BinaryWriter
    private var keyColumn: BinaryWriter
    private var fingerprintColumn: BinaryWriter
    private var answerColumn: BinaryWriter
    private var eventIDs = IdentifierDeltas<EventKind>()
    private var previousDeadline: Int64 = 0

    init(capacity: Int, prefixes: IdempotencyKeyPrefixes) {
        self.prefixes = prefixes
        spellingColumn = BinaryWriter(capacity: capacity)
        keyColumn = BinaryWriter(capacity: capacity * 16, content: .random)
        fingerprintColumn = BinaryWriter(capacity: capacity * 8, content: .random)
        answerColumn = BinaryWriter(capacity: capacity * 4)
    }

    /// - Parameter answeredEvent: for a receipt's record, the event it answered with, if the
    ///   state still has it (a restore then finds it in the same snapshot): its provider event
    ///   id spells the key again when the record has a ``IdempotencyRecord/keyPrefix``, and
    ///   its deadline is the answer's. Required for a record of the receipt that made its
    ///   event; nil for a result's.
    mutating func append(_ record: IdempotencyRecord, answeredEvent: EventCursor.AnsweredEvent?) {
        count += 1
        if answeredEvent != nil, let prefix = record.keyPrefix {
            spellingColumn.write(varint: UInt64(prefix) + 1)
        } else {
            spellingColumn.write(varint: 0)
            keyColumn.write(fixed: record.keyDigest.high)
            keyColumn.write(fixed: record.keyDigest.low)
        }
        // The token keeps 64 bits of the fingerprint (``IdempotencyToken``); the rest is zero.
        fingerprintColumn.write(fixed: record.fingerprint.words.0)
        answerColumn.write(record.expiresAt &- previousDeadline)
        previousDeadline = record.expiresAt
        switch record.answer {
        case .receipt(let eventID):
            precondition(answeredEvent != nil, "a receipt's record is written with its event")
            write(ReceiptAccepted(eventID: eventID, timeoutAt: answeredEvent.unsafelyUnwrapped.timeoutAt, duplicate: false), of: record)
        case .duplicateReceipt(let answer):
            write(answer, of: record)
        case .result(let answer):
            answerColumn.write(UInt8(1))
            answerColumn.write(answer)
        }
    }

    private mutating func write(_ answer: ReceiptAccepted, of record: IdempotencyRecord) {
        answerColumn.write(UInt8(0))
        eventIDs.write(answer.eventID, to: &answerColumn)
        answerColumn.write(answer.timeoutAt.millisecondsSinceEpoch &- record.expiresAt)
        answerColumn.write(answer.duplicate)
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(varint: UInt64(count))
        writer.write(prefixes.prefixes)
        for column in [spellingColumn, keyColumn, fingerprintColumn, answerColumn] { writer.write(section: column) }
    }

    /// Calls `reserve` with the number of records, then `body` with each record, oldest first;
    /// `answeredEvent` gives a project's event (nil for none), for keys stored as their
    /// spelling and to check a receipt's answer. A receipt's record whose event is not in the
    /// snapshot is left out: its key is forgotten (``IdempotencyRecord``).
    ///
    /// - Returns: the project's key prefixes (none before version 5).
    static func read(
        from reader: inout BinaryReader, reserve: (_ count: Int) -> Void, answeredEvent: (EventID) -> EventCursor.AnsweredEvent?,
        each body: (IdempotencyRecord) throws(BinaryDecodingError) -> Void
    ) throws(BinaryDecodingError) -> IdempotencyKeyPrefixes {
        let count = try reader.readCount()
        reserve(count)
        let version = reader.formatVersion
        let prefixes = IdempotencyKeyPrefixes(version >= 5 ? try reader.readStrings() : [])
        guard prefixes.prefixes.count <= IdempotencyKeyPrefixes.capacity else { throw reader.failure("too many key prefixes") }
        var spellingColumn = version >= 5 ? try reader.readSection() : BinaryReader([])
        var keyColumn = try reader.readSection()
        var fingerprintColumn = try reader.readSection()
        var answerColumn = try reader.readSection()
        var eventIDs = IdentifierDeltas<EventKind>()
        var deadline: Int64 = 0
        for _ in 0..<count {
            let spelling = version >= 5 ? try spellingColumn.readVarint() : 0
            let fingerprint = try fingerprintColumn.readFixedUInt64()
            // Versions 3 and 4 kept 128 bits of it; a token keeps 64 now.
            if version < 5 { _ = try fingerprintColumn.readFixedUInt64() }
            deadline &+= try answerColumn.readInt64()
            let answer: IdempotencyRecord.Answer
            var event: EventCursor.AnsweredEvent?
            switch try answerColumn.readByte() {
            case 0:
                let eventID = try eventIDs.read(from: &answerColumn)
                let timeoutAt = Timestamp(millisecondsSinceEpoch: deadline &+ (try answerColumn.readInt64()))
                let duplicate = try answerColumn.readBool()
                answer = duplicate ? .duplicateReceipt(ReceiptAccepted(eventID: eventID, timeoutAt: timeoutAt, duplicate: true)) : .receipt(eventID)
                event = answeredEvent(eventID)
                if let event, event.timeoutAt != timeoutAt { throw answerColumn.failure("answer's deadline is not its event's") }
            case 1:
                answer = .result(try answerColumn.read())
            default:
                throw answerColumn.failure("unknown idempotency answer")
            }
            let keyDigest: IdempotencyKeyDigest
            let keyPrefix: UInt8?
            switch spelling {
            case 0:
                keyPrefix = nil
                keyDigest = version >= 4
                    ? IdempotencyKeyDigest(high: try keyColumn.readFixedUInt64(), low: try keyColumn.readFixedUInt64())
                    : IdempotencyKeyDigest(of: try keyColumn.readString())
            default:
                guard spelling <= UInt64(prefixes.prefixes.count), let event else {
                    throw spellingColumn.failure("key spelling \(spelling) names no prefix and receipt")
                }
                keyPrefix = UInt8(spelling - 1)
                keyDigest = prefixes.digest(prefix: UInt8(spelling - 1), providerEventID: event.providerEventID)
            }
            // A record of the receipt that made its event is kept only with the event.
            if case .receipt = answer, event == nil { continue }
            try body(IdempotencyRecord(
                keyDigest: keyDigest, fingerprint: SecretHash(words: (fingerprint, 0, 0, 0)), answer: answer,
                expiresAt: deadline, keyPrefix: keyPrefix))
        }
        for column in [spellingColumn, keyColumn, fingerprintColumn, answerColumn] {
            guard column.isAtEnd else { throw column.failure("column longer than its \(count) records") }
        }
        return prefixes
    }
}
