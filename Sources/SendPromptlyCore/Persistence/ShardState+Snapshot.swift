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
            writer.write(varint: UInt64(project.eventOrder.count))
            for id in project.eventOrder { writer.write(project.events[id]!) }
            writer.write(project.incidentOrder.compactMap { project.incidents[$0] })
            writer.write(varint: UInt64(project.idempotency.count))
            for record in project.liveIdempotencyRecords {
                writer.write(record.key)
                writer.write(record.fingerprint)
                writer.write(record.deadline)
                switch record.answer {
                case .receipt(let answer): writer.write(UInt8(0)); writer.write(answer)
                case .result(let answer): writer.write(UInt8(1)); writer.write(answer)
                }
            }
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
            let project = ProjectState(id: id, settings: settings, signingSecret: secrets.current, createdAt: createdAt)
            project.signingSecrets = secrets
            for key in try reader.readArray(APIKeyRecord.self) {
                project.keys[key.id] = key
                project.keyIDsByHash[key.hash] = key.id
            }
            let events = try reader.readArray(EventRecord.self)
            // Sized up front: growing dictionaries of a million entries rehashes them repeatedly.
            project.events.reserveCapacity(events.count)
            project.eventIDsByProviderEvent.reserveCapacity(events.count)
            project.timers.reserveCapacity(events.count { $0.state == .pending })
            project.eventOrder.reserveCapacity(events.count)
            for event in events {
                guard project.eventOrder.last.map({ $0 < event.id }) ?? true else { throw reader.failure("events out of order at \(event.id)") }
                project.events[event.id] = event
                project.eventOrder.append(event.id)
                let providerKey = ProjectState.ProviderEventKey(
                    provider: event.receipt.provider, providerEventID: event.receipt.providerEventID)
                if project.eventIDsByProviderEvent[providerKey] == nil {
                    project.eventIDsByProviderEvent[providerKey] = event.id
                }
                if event.state == .pending {
                    let timer = ReceiptTimer(projectID: id, eventID: event.id, deadline: event.timeoutAt)
                    project.timers[event.id] = timer
                    guard state.wheel.schedule(timer) else { throw reader.failure("pending event \(event.id) is past the wheel's time") }
                }
            }
            for incident in try reader.readArray(Incident.self) {
                project.incidents[incident.id] = incident
                project.incidentOrder.append(incident.id)
                for replay in incident.replays {
                    guard case .awaitingResult(let deadline) = replay.phase else { continue }
                    let timer = ReplayTimer(projectID: id, incidentID: incident.id, replayID: replay.id, deadline: deadline)
                    project.replayTimers[replay.id] = timer
                    guard state.wheel.schedule(timer) else { throw reader.failure("replay \(replay.id) is past the wheel's time") }
                }
            }
            let recordCount = try reader.readCount()
            project.idempotency.reserveCapacity(recordCount)
            project.idempotencyOrder.reserveCapacity(recordCount)
            for _ in 0..<recordCount {
                let key = try reader.readString()
                let fingerprint: SecretHash = try reader.read()
                let expiresAt = try reader.readInt64()
                let answer: IdempotencyRecord.Answer
                switch try reader.readByte() {
                case 0: answer = .receipt(try reader.read())
                case 1: answer = .result(try reader.read())
                default: throw reader.failure("unknown idempotency answer")
                }
                let record = IdempotencyRecord(
                    projectID: id, token: IdempotencyToken(key: key, fingerprint: fingerprint), answer: answer,
                    expiresAt: Timestamp(millisecondsSinceEpoch: expiresAt))
                project.remember(record)
                state.wheel.schedule(record)
            }
            state.projects[id] = project
        }
        if !reader.isAtEnd { try state.decodeAuditLog(from: &reader) }
        return state
    }

    /// Counts for operators (`sendpromptly snapshot inspect`): per project, its events, pending
    /// receipts and open incidents.
    public func projectCounts() -> [(project: ProjectID, name: String, events: Int, pending: Int, openIncidents: Int)] {
        projects.values.sorted { $0.id < $1.id }.map {
            ($0.id, $0.settings.name, $0.events.count, $0.timers.count, $0.openIncidentCount)
        }
    }
}
