// The binary form of the engine's values. Field order below is the format; a change to it is a
// new format version (see `SnapshotFormat` and `JournalFormat`).

extension Provider: BinaryCodable {}
extension EffectType: BinaryCodable {}
extension ProjectMode: BinaryCodable {}
extension KeyScope: BinaryCodable {}
extension EventState: BinaryCodable {}
extension ResultStatus: BinaryCodable {}
extension IncidentReason: BinaryCodable {}
extension IncidentStatus: BinaryCodable {}
extension Resolution: BinaryCodable {}
extension TimelineEntry.Kind: BinaryCodable {}

extension Timestamp: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) { writer.write(millisecondsSinceEpoch) }
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(millisecondsSinceEpoch: try reader.readInt64())
    }
}

extension Identifier: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) { writer.write(rawValue) }
    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let raw = try reader.readString()
        guard let id = Self(raw) else { throw reader.failure("invalid identifier \(raw)") }
        self = id
    }
}

extension SecretHash: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(fixed: words.0)
        writer.write(fixed: words.1)
        writer.write(fixed: words.2)
        writer.write(fixed: words.3)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(words: (
            try reader.readFixedUInt64(), try reader.readFixedUInt64(),
            try reader.readFixedUInt64(), try reader.readFixedUInt64()))
    }
}

extension ProjectSettings: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(mode)
        writer.write(repairURL)
        writer.write(alertEmails)
        writer.write(slackWebhookURL)
        writer.write(defaultTimeoutMinutes)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            name: try reader.readString(), mode: try reader.read(), repairURL: try reader.readOptionalString(),
            alertEmails: try reader.readStrings(), slackWebhookURL: try reader.readOptionalString(),
            defaultTimeoutMinutes: try reader.readInt())
    }
}

extension ProjectSettingsChange: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(mode)
        writer.write(repairURL != nil)
        if let repairURL { writer.write(repairURL) }
        writer.write(alertEmails != nil)
        if let alertEmails { writer.write(alertEmails) }
        writer.write(slackWebhookURL != nil)
        if let slackWebhookURL { writer.write(slackWebhookURL) }
        writer.write(defaultTimeoutMinutes.map(Int64.init))
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init()
        name = try reader.readOptionalString()
        mode = try reader.readOptional()
        if try reader.readBool() { repairURL = .some(try reader.readOptionalString()) }
        if try reader.readBool() { alertEmails = try reader.readStrings() }
        if try reader.readBool() { slackWebhookURL = .some(try reader.readOptionalString()) }
        defaultTimeoutMinutes = try reader.readOptionalInt64().map { Int($0) }
    }
}

extension NewKey: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(label)
        writer.write(scope)
        writer.write(hash)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(label: try reader.readString(), scope: try reader.read(), hash: try reader.read())
    }
}

extension APIKeyRecord: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(label)
        writer.write(scope)
        writer.write(hash)
        writer.write(createdAt)
        writer.write(lastUsedAt)
        writer.write(revokedAt)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            id: try reader.read(), label: try reader.readString(), scope: try reader.read(), hash: try reader.read(),
            createdAt: try reader.read(), lastUsedAt: try reader.readOptional(), revokedAt: try reader.readOptional())
    }
}

extension SigningSecrets: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(current)
        writer.write(previous)
        writer.write(previousExpiresAt)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(current: try reader.readString(), previous: try reader.readOptionalString(), previousExpiresAt: try reader.readOptional())
    }
}

extension Receipt: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(provider)
        writer.write(providerEventID)
        writer.write(eventType)
        writer.write(effectType)
        writer.write(internalReference)
        writer.write(occurredAt)
        writer.write(shopifyShopDomain)
        writer.write(timeoutSeconds)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            provider: try reader.read(), providerEventID: try reader.readString(), eventType: try reader.readString(),
            effectType: try reader.read(), internalReference: try reader.readOptionalString(),
            occurredAt: try reader.readOptional(), shopifyShopDomain: try reader.readOptionalString(),
            timeoutSeconds: try reader.readOptionalInt64())
    }
}

extension ReportedError: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(code)
        writer.write(message)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(code: try reader.readOptionalString(), message: try reader.readOptionalString())
    }
}

extension ResultReport: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch event {
        case .eventID(let id): writer.write(UInt8(0)); writer.write(id)
        case .providerEventID(let id): writer.write(UInt8(1)); writer.write(id)
        case .stripeEventID(let id): writer.write(UInt8(2)); writer.write(id)
        }
        writer.write(status)
        writer.write(error)
        writer.write(replayID)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let event: EventReference
        switch try reader.readByte() {
        case 0: event = .eventID(try reader.readString())
        case 1: event = .providerEventID(try reader.readString())
        case 2: event = .stripeEventID(try reader.readString())
        default: throw reader.failure("unknown event reference")
        }
        self.init(event: event, status: try reader.read(), error: try reader.read(), replayID: try reader.readOptionalString())
    }
}

extension IdempotencyToken: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(key)
        writer.write(fingerprint)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(key: try reader.readString(), fingerprint: try reader.read())
    }
}

extension Access: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .administrator:
            writer.write(UInt8(0))
        case .apiKey(let project, let hash):
            writer.write(UInt8(1))
            writer.write(project)
            writer.write(hash)
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = .administrator
        case 1: self = .apiKey(project: try reader.read(), hash: try reader.read())
        default: throw reader.failure("unknown access")
        }
    }
}

extension ReceiptAccepted: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(eventID)
        writer.write(timeoutAt)
        writer.write(duplicate)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(eventID: try reader.read(), timeoutAt: try reader.read(), duplicate: try reader.readBool())
    }
}

extension ResultApplied: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(eventID)
        writer.write(succeeded)
        writer.write(incidentID)
        writer.write(incidentStatus)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            eventID: try reader.read(), succeeded: try reader.readBool(), incidentID: try reader.readOptional(),
            incidentStatus: try reader.readOptional())
    }
}

extension EventRecord: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(receipt)
        writer.write(acceptedAt)
        writer.write(timeoutAt)
        writer.write(state)
        writer.write(incidentID)
        writer.write(resultAt)
        writer.write(lastError)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        let id: EventID = try reader.read()
        let receipt: Receipt = try reader.read()
        let acceptedAt: Timestamp = try reader.read()
        let timeoutAt: Timestamp = try reader.read()
        let span = timeoutAt.millisecondsSinceEpoch &- acceptedAt.millisecondsSinceEpoch
        guard TimeoutSpan.fits(milliseconds: span, ownSeconds: receipt.timeoutSeconds) else {
            throw reader.failure("timeout \(span) ms after acceptance, own \(receipt.timeoutSeconds.map(String.init) ?? "none")")
        }
        self.init(
            id: id, receipt: receipt, acceptedAt: acceptedAt, timeoutAt: timeoutAt, state: try reader.read(),
            incidentID: try reader.readOptional(), resultAt: try reader.readOptional(), lastError: try reader.readOptional())
    }
}

extension TimelineEntry: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(at)
        writer.write(kind)
        writer.write(detail)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(at: try reader.read(), kind: try reader.read(), detail: try reader.readString())
    }
}

extension DeliveryAttempt: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(number)
        writer.write(at)
        writer.write(statusCode.map(Int64.init))
        writer.write(error)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            number: try reader.readInt(), at: try reader.read(), statusCode: try reader.readOptionalInt64().map { Int($0) },
            error: try reader.readOptionalString())
    }
}

extension Replay.Phase: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .sending(let dueAt): writer.write(UInt8(0)); writer.write(dueAt)
        case .awaitingResult(let deadline): writer.write(UInt8(1)); writer.write(deadline)
        case .succeeded: writer.write(UInt8(2))
        case .failed: writer.write(UInt8(3))
        case .halted: writer.write(UInt8(4))
        case .exhausted: writer.write(UInt8(5))
        case .timedOut: writer.write(UInt8(6))
        case .superseded: writer.write(UInt8(7))
        case .cancelled: writer.write(UInt8(8))
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = .sending(dueAt: try reader.read())
        case 1: self = .awaitingResult(deadline: try reader.read())
        case 2: self = .succeeded
        case 3: self = .failed
        case 4: self = .halted
        case 5: self = .exhausted
        case 6: self = .timedOut
        case 7: self = .superseded
        case 8: self = .cancelled
        default: throw reader.failure("unknown replay phase")
        }
    }
}

extension Replay: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(requestedAt)
        writer.write(attempts)
        writer.write(phase)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(id: try reader.read(), requestedAt: try reader.read(), attempts: try reader.readArray(), phase: try reader.read())
    }
}

extension DeliveryDisposition: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .delivered: writer.write(UInt8(0))
        case .retry(let dueAt): writer.write(UInt8(1)); writer.write(dueAt)
        case .halted: writer.write(UInt8(2))
        case .exhausted: writer.write(UInt8(3))
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = .delivered
        case 1: self = .retry(at: try reader.read())
        case 2: self = .halted
        case 3: self = .exhausted
        default: throw reader.failure("unknown delivery disposition")
        }
    }
}

extension DeliveryItem: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .replay(let id): writer.write(UInt8(0)); writer.write(id)
        case .alert(let number): writer.write(UInt8(1)); writer.write(number)
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = .replay(try reader.read())
        case 1: self = .alert(try reader.readInt())
        default: throw reader.failure("unknown delivery item")
        }
    }
}

extension DeliveryReport: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(incidentID)
        writer.write(item)
        writer.write(attempt)
        writer.write(disposition)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(incidentID: try reader.read(), item: try reader.read(), attempt: try reader.read(), disposition: try reader.read())
    }
}

extension Alert.Channel: BinaryCodable {}

extension Alert.Subject: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .opened: writer.write(UInt8(0))
        case .replayEnded(let id): writer.write(UInt8(1)); writer.write(id)
        case .resolved: writer.write(UInt8(2))
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = .opened
        case 1: self = .replayEnded(try reader.read())
        case 2: self = .resolved
        default: throw reader.failure("unknown alert subject")
        }
    }
}

extension Alert.Phase: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .sending(let dueAt): writer.write(UInt8(0)); writer.write(dueAt)
        case .sent: writer.write(UInt8(1))
        case .failed: writer.write(UInt8(2))
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readByte() {
        case 0: self = .sending(dueAt: try reader.read())
        case 1: self = .sent
        case 2: self = .failed
        default: throw reader.failure("unknown alert phase")
        }
    }
}

extension Alert: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(number)
        writer.write(subject)
        writer.write(channel)
        writer.write(queuedAt)
        writer.write(recipients)
        writer.write(attempts)
        writer.write(phase)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            number: try reader.readInt(), subject: try reader.read(), channel: try reader.read(), queuedAt: try reader.read(),
            recipients: try reader.readStrings(), attempts: try reader.readArray(), phase: try reader.read())
    }
}

extension ReprocessSelection: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(effectType)
        writer.write(since)
        writer.write(until)
        writer.write(limit)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(effectType: try reader.readOptional(), since: try reader.read(), until: try reader.readOptional(), limit: try reader.readInt())
    }
}

extension Incident: BinaryCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(projectID)
        writer.write(eventID)
        writer.write(reason)
        writer.write(openedAt)
        writer.write(status)
        writer.write(resolvedAt)
        writer.write(resolution)
        writer.write(resolutionNote)
        writer.write(lastError)
        writer.write(timeline)
        writer.write(replays)
        writer.write(alerts)
    }

    public init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            id: try reader.read(), projectID: try reader.read(), eventID: try reader.read(), reason: try reader.read(),
            openedAt: try reader.read(), status: try reader.read(), resolvedAt: try reader.readOptional(),
            resolution: try reader.readOptional(), resolutionNote: try reader.readOptionalString(),
            lastError: try reader.readOptional(), timeline: try reader.readArray(), replays: try reader.readArray(),
            alerts: reader.formatVersion >= 2 ? try reader.readArray() : [])
    }
}
