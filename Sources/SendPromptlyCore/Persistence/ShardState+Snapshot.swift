extension ShardState {
    /// The shard's whole state in the snapshot format: the wheel's time, the identifier
    /// generator, and every project with its keys, events, incidents and live idempotency
    /// records. Deadlines are not stored separately: they are the pending events' `timeoutAt`
    /// and the delivered replays' result deadlines, and the wheel is rebuilt from them.
    ///
    /// Projects, keys and events are written in identifier order (events from their creation
    /// order, which is the same), incidents in creation order, idempotency records in the
    /// order they were made: equal states, however reached, encode to equal bytes.
    public func encodeSnapshot(to writer: inout BinaryWriter) {
        encodeSnapshot(to: &writer) { project, writer in
            var events = EventColumns(capacity: project.events.count)
            for event in project.events.inCreationOrder { events.append(event) }
            events.write(to: &writer)
        } records: { project, writer in
            var records = IdempotencyColumns(capacity: project.idempotency.count, prefixes: project.keyPrefixes)
            var events = EventCursor(project.events)
            for record in project.idempotency.live {
                switch record.answer {
                case .receipt(let eventID):
                    // Its event has left: the record is forgotten (``IdempotencyRecord``).
                    guard let event = events.event(eventID) else { continue }
                    records.append(record, answeredEvent: event)
                case .duplicateReceipt(let answer):
                    records.append(record, answeredEvent: events.event(answer.eventID))
                case .result:
                    records.append(record, answeredEvent: nil)
                }
            }
            records.write(to: &writer)
        }
    }

    /// The layout every format version shares; a project's events and its idempotency records
    /// are written by `events` and `records`, whose layout changed in version 3.
    func encodeSnapshot(
        to writer: inout BinaryWriter, events: (ProjectState, inout BinaryWriter) -> Void,
        records: (ProjectState, inout BinaryWriter) -> Void
    ) {
        writer.write(wheel.tickMilliseconds)
        writer.write(wheel.currentTime)
        writer.write(fixed: generator.random.state)
        writer.write(generator.lastMillisecond)
        writer.write(varint: UInt64(generator.lastRandomHigh))
        writer.write(fixed: generator.lastRandomLow)
        let ordered = projects.values.sorted { $0.id < $1.id }
        writer.write(varint: UInt64(ordered.count))
        for project in ordered {
            writer.write(project.id)
            writer.write(project.createdAt)
            writer.write(project.settings)
            writer.write(project.signingSecrets)
            writer.write(project.keys.values.sorted { $0.id < $1.id })
            events(project, &writer)
            writer.write(project.incidentOrder.compactMap { project.incidents[$0] })
            records(project, &writer)
        }
        // Last, so that snapshots written before the audit trail existed simply end earlier.
        encodeAuditLog(to: &writer)
    }

    /// Rebuilds a shard from ``encodeSnapshot(to:)``'s bytes.
    public static func decodeSnapshot(from reader: inout BinaryReader) throws(BinaryDecodingError) -> ShardState {
        let tick = try reader.readInt64()
        guard tick > 0 else { throw reader.failure("invalid tick") }
        let wheelTime = try reader.readInt64()
        let randomState = try reader.readFixedUInt64()
        let lastMillisecond = try reader.readInt64()
        guard let high = UInt16(exactly: try reader.readVarint()) else { throw reader.failure("invalid generator state") }
        let low = try reader.readFixedUInt64()
        let state = ShardState(
            generator: IdentifierGenerator(randomState: randomState, lastMillisecond: lastMillisecond, lastRandomHigh: high, lastRandomLow: low),
            now: Timestamp(millisecondsSinceEpoch: wheelTime), tickMilliseconds: tick)
        let projectCount = try reader.readCount()
        for _ in 0..<projectCount {
            let id: ProjectID = try reader.read()
            let createdAt: Timestamp = try reader.read()
            let settings: ProjectSettings = try reader.read()
            let secrets: SigningSecrets = try reader.read()
            guard state.projects[id] == nil else { throw reader.failure("project \(id) appears twice") }
            let project = state.addProject(id: id, settings: settings, signingSecret: secrets.current, createdAt: createdAt)
            project.signingSecrets = secrets
            for key in try reader.readArray(APIKeyRecord.self) {
                project.keys[key.id] = key
                project.keyIDsByHash[key.hash] = key.id
            }
            if reader.formatVersion >= 3 {
                try EventColumns.read(from: &reader, sharedSpelling: { state.eventTypes.intern($0) }) { count, _ in
                    project.events.reserveCapacity(count)
                } each: { (event: EventRecord, position: BinaryReader) throws(BinaryDecodingError) in
                    try state.restore(event, in: project, position: position)
                }
            } else {
                let events = try reader.readArray(EventRecord.self)
                project.events.reserveCapacity(events.count)
                for event in events { try state.restore(event, in: project, position: reader) }
            }
            for incident in try reader.readArray(Incident.self) {
                guard project.incidents[incident.id] == nil else { throw reader.failure("incident \(incident.id) appears twice") }
                project.incidents[incident.id] = incident
                project.incidentOrder.append(incident.id)
                for replay in incident.replays {
                    guard case .awaitingResult(let deadline) = replay.phase else { continue }
                    // A second deadline under one id would leave the first in the wheel, unowned.
                    guard project.replayTimers[replay.id] == nil else { throw reader.failure("replay \(replay.id) appears twice") }
                    let timer = state.scheduleReplayDeadline(replay.id, of: incident.id, in: project, at: deadline)
                    guard timer.handle != nil else { throw reader.failure("replay \(replay.id) is past the wheel's time") }
                }
            }
            if reader.formatVersion >= 3 {
                var events = EventCursor(project.events)
                project.keyPrefixes = try IdempotencyColumns.read(from: &reader) { count in
                    project.idempotency.reserveCapacity(count)
                } answeredEvent: { eventID in
                    events.event(eventID)
                } each: { record in
                    project.idempotency.append(record)
                }
            } else {
                let recordCount = try reader.readCount()
                project.idempotency.reserveCapacity(recordCount)
                for _ in 0..<recordCount {
                    let key = try reader.readString()
                    let fingerprint: SecretHash = try reader.read()
                    let expiresAt = try reader.readInt64()
                    let answer: IdempotencyRecord.Answer
                    switch try reader.readByte() {
                    case 0:
                        let receipt: ReceiptAccepted = try reader.read()
                        if receipt.duplicate {
                            answer = .duplicateReceipt(receipt)
                        } else {
                            // Its event has left: the record is forgotten (``IdempotencyRecord``).
                            guard let timeoutAt = project.events.timeoutAt(of: receipt.eventID) else { continue }
                            guard timeoutAt == receipt.timeoutAt else { throw reader.failure("answer's deadline is not its event's") }
                            answer = .receipt(receipt.eventID)
                        }
                    case 1: answer = .result(try reader.read())
                    default: throw reader.failure("unknown idempotency answer")
                    }
                    let token = IdempotencyToken(key: key, fingerprint: fingerprint)
                    project.idempotency.append(IdempotencyRecord(
                        keyDigest: token.keyDigest, fingerprint: token.fingerprint, answer: answer, expiresAt: expiresAt))
                }
            }
        }
        if !reader.isAtEnd { try state.decodeAuditLog(from: &reader) }
        return state
    }

    /// Adds a decoded event to its project, with a pending one's timer. A failure names
    /// `position`, where the event was read.
    private func restore(_ event: consuming EventRecord, in project: ProjectState, position reader: BinaryReader) throws(BinaryDecodingError) {
        guard project.events.lastID.map({ $0 < event.id }) ?? true else { throw reader.failure("events out of order at \(event.id)") }
        var timer: TimerHandle?
        if event.state == .pending {
            timer = scheduleDeadline(of: event, in: project)
            if timer == nil { throw reader.failure("pending event \(event.id) is past the wheel's time") }
        }
        project.events.append(event, timer: timer)
    }

    /// Counts for operators (`sendpromptly snapshot inspect`): per project, its events, pending
    /// receipts and open incidents.
    public func projectCounts() -> [(project: ProjectID, name: String, events: Int, pending: Int, openIncidents: Int)] {
        projects.values.sorted { $0.id < $1.id }.map {
            ($0.id, $0.settings.name, $0.events.count, $0.events.pendingCount, $0.openIncidentCount)
        }
    }
}
