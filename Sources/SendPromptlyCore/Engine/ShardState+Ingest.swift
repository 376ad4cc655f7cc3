extension ShardState {
    /// Accepts a receipt and starts its deadline (section 3 of the wire contract).
    ///
    /// The same `Idempotency-Key` with the same request within the idempotency window (24 hours
    /// unless ``RetentionPolicy`` says otherwise) answers the stored first
    /// answer; with another request it is `idempotencyKeyReused`. A repeated
    /// `(provider, provider_event_id)` under a new key answers the original event with
    /// `duplicate` set, without a second receipt or a longer deadline. A project over its
    /// ``IngestQuota`` (rate, or pending receipts for a new one) is `rateLimited`.
    public func receipt(
        _ receipt: Receipt, access: Access, project id: ProjectID, idempotency: IdempotencyToken, now: Timestamp
    ) throws(EngineError) -> IngestReply<ReceiptAccepted> {
        let project = try authorize(access, project: id, scope: .ingest, now: now)
        try admitIngestRequest(of: id, now: now)
        let stored = try storedAnswer(project: project, token: idempotency)
        if case .answer(let stored) = stored {
            guard case .receipt(let answer) = stored else { throw .idempotencyKeyReused }
            return IngestReply(answer: answer, replayed: true)
        }
        let answer: ReceiptAccepted
        if let existingID = project.events.eventID(provider: receipt.provider, providerEventID: receipt.providerEventID),
           let existing = project.events[existingID] {
            answer = ReceiptAccepted(eventID: existing.id, timeoutAt: existing.timeoutAt, duplicate: true)
        } else {
            try requirePendingCapacity(of: project)
            let timeoutSeconds = receipt.timeoutSeconds ?? Int64(project.settings.defaultTimeoutMinutes) * 60
            // The request and the settings were validated when they arrived (at most 7 days);
            // this guards what a damaged journal or snapshot could bring back.
            guard TimeoutSpan.fits(seconds: timeoutSeconds) else {
                throw .validation(field: "timeout_seconds", message: "timeout of \(timeoutSeconds) s is out of range")
            }
            let event = EventRecord(
                id: nextID(EventKind.self, at: now), receipt: receipt, sharedEventType: eventTypes.intern(receipt.eventType), acceptedAt: now,
                timeoutAt: now.adding(seconds: timeoutSeconds), state: .pending)
            answer = ReceiptAccepted(eventID: event.id, timeoutAt: event.timeoutAt, duplicate: false)
            let timer = scheduleDeadline(of: event, in: project)
            project.events.append(event, timer: timer)
            if timer == nil {
                // Only a clock that went backwards gets here: the deadline is already due.
                expireReceipt(answer.eventID, in: project)
            }
        }
        // The answered event carries this receipt's provider event id, new or duplicate.
        let keyPrefix = project.keyPrefixes.index(spelling: idempotency.key, around: receipt.providerEventID)
        remember(
            answer.duplicate ? .duplicateReceipt(answer) : .receipt(answer.eventID),
            project: project, token: idempotency, replacing: stored, keyPrefix: keyPrefix, now: now)
        return IngestReply(answer: answer, replayed: false)
    }

    /// Applies a result by the state table of section 3 of the wire contract. A result counts
    /// against the project's rate like a receipt.
    public func result(
        _ report: ResultReport, access: Access, project id: ProjectID, idempotency: IdempotencyToken, now: Timestamp
    ) throws(EngineError) -> IngestReply<ResultApplied> {
        let project = try authorize(access, project: id, scope: .ingest, now: now)
        try admitIngestRequest(of: id, now: now)
        let stored = try storedAnswer(project: project, token: idempotency)
        if case .answer(let stored) = stored {
            guard case .result(let answer) = stored else { throw .idempotencyKeyReused }
            return IngestReply(answer: answer, replayed: true)
        }
        guard let eventID = lookUp(report.event, in: project), var event = project.events[eventID] else {
            throw .notFound("no such event in this project")
        }
        // A replay_id the engine could not have issued belongs to nothing.
        let namedReplay = report.replayID.flatMap(ReplayID.init)
        if report.replayID != nil {
            let belongs = event.incidentID.flatMap { project.incidents[$0] }?.replays.contains { $0.id == namedReplay }
            guard belongs == true else {
                throw .validation(field: "replay_id", message: "replay_id does not belong to this event's incident")
            }
        }
        let detail = Self.describe(report)
        switch (event.state, event.incidentID) {
        case (.pending, _):
            if let handle = project.events.removeTimer(of: event.id) {
                wheel.cancel(handle)
            }
            event.resultAt = now
            switch report.status {
            case .success:
                event.state = .succeeded
                project.events[event.id] = event
                retentionNoteFinished(event.id, in: project)
            case .failed:
                event.state = .failed
                event.lastError = report.error
                project.events[event.id] = event
                openIncident(for: event.id, in: project, reason: .failed, at: now, cause: TimelineEntry(at: now, kind: .result, detail: detail))
            }
        case (_, let incidentID?):
            guard var incident = project.incidents[incidentID] else { break }
            // On a resolved incident a success changes nothing (the wire contract, section 3:
            // idempotent); a failure is history worth keeping.
            if incident.status == .resolved, report.status == .success { break }
            incident.timeline.append(TimelineEntry(at: now, kind: .result, detail: detail))
            if incident.status == .resolved {
                project.incidents[incidentID] = incident
                break
            }
            let named = namedReplay.flatMap { replayID in incident.replays.firstIndex { $0.id == replayID } }
            switch report.status {
            case .success:
                event.state = .succeeded
                event.resultAt = now
                project.events[event.id] = event
                if let named { end(&incident.replays[named], as: .succeeded, in: project) }
                project.incidents[incidentID] = incident
                resolve(incidentID, in: project, as: named == nil ? .lateSuccess : .replaySuccess, note: nil, at: now)
            case .failed:
                incident.lastError = report.error
                project.incidents[incidentID] = incident
                // Only the active replay's failure reopens; a superseded one's is history.
                if let named {
                    let replayID = incident.replays[named].id
                    reopen(incidentID, in: project, replay: replayID, as: .failed, at: now, because: "replay \(replayID) failed")
                }
            }
        default:
            // Succeeded without an incident: the effect ran; a later result changes nothing.
            break
        }
        let answer = ResultApplied(
            eventID: event.id, succeeded: project.events[event.id]?.state == .succeeded,
            incidentID: event.incidentID ?? project.events[event.id]?.incidentID,
            incidentStatus: project.events[event.id]?.incidentID.flatMap { project.incidents[$0]?.status })
        remember(.result(answer), project: project, token: idempotency, replacing: stored, now: now)
        return IngestReply(answer: answer, replayed: false)
    }

    /// Schedules the result deadline of `event`, a pending receipt of `project`: nil when it is
    /// due already.
    func scheduleDeadline(of event: borrowing EventRecord, in project: ProjectState) -> TimerHandle? {
        wheel.schedule(
            deadline: event.timeoutAt.millisecondsSinceEpoch,
            payload: ShardDeadline.receipt(project: project.ordinal, event: event.id).payload)
    }

    private func lookUp(_ reference: ResultReport.EventReference, in project: ProjectState) -> EventID? {
        switch reference {
        case .eventID(let raw):
            return EventID(raw)
        case .stripeEventID(let raw):
            return project.events.eventID(provider: .stripe, providerEventID: raw)
        case .providerEventID(let raw):
            return Provider.allCases.lazy.compactMap {
                project.events.eventID(provider: $0, providerEventID: raw)
            }.first
        }
    }

    private static func describe(_ report: ResultReport) -> String {
        var detail = report.status.rawValue
        if let replayID = report.replayID { detail += " (replay \(replayID))" }
        let error = [report.error.code, report.error.message].compactMap { $0 }.joined(separator: ": ")
        if !error.isEmpty { detail += ": " + error }
        return detail
    }

    // MARK: Idempotency

    /// A first answer as it is given again.
    private enum StoredAnswer {
        case receipt(ReceiptAccepted)
        case result(ResultApplied)
    }

    /// What a key's record says.
    private enum KeyLookup {
        /// No record: the key is new.
        case new
        /// A receipt's record whose event has left (``IdempotencyRecord``): the key is new, and
        /// its record is forgotten once a new one is made for it.
        case forgotten
        case answer(StoredAnswer)
    }

    /// The stored answer for `token`'s key; a stored key with another fingerprint is
    /// `idempotencyKeyReused`. A receipt's answer takes its deadline from its event. Changes
    /// nothing, so a request refused after it leaves the state as it was.
    private func storedAnswer(project: ProjectState, token: IdempotencyToken) throws(EngineError) -> KeyLookup {
        guard let record = project.idempotency.record(for: token.keyDigest) else { return .new }
        let answer: StoredAnswer
        switch record.answer {
        case .receipt(let eventID):
            guard let timeoutAt = project.events.timeoutAt(of: eventID) else { return .forgotten }
            answer = .receipt(ReceiptAccepted(eventID: eventID, timeoutAt: timeoutAt, duplicate: false))
        case .duplicateReceipt(let receipt):
            answer = .receipt(receipt)
        case .result(let result):
            answer = .result(result)
        }
        guard record.fingerprint.constantTimeEquals(token.fingerprint) else { throw .idempotencyKeyReused }
        return .answer(answer)
    }

    /// Records `answer` as the first for `token`'s key, which `lookup` found new or forgotten.
    private func remember(
        _ answer: IdempotencyRecord.Answer, project: ProjectState, token: IdempotencyToken, replacing lookup: KeyLookup,
        keyPrefix: UInt8? = nil, now: Timestamp
    ) {
        if case .forgotten = lookup { project.idempotency.forgetEarly(token.keyDigest) }
        project.idempotency.append(IdempotencyRecord(
            keyDigest: token.keyDigest, fingerprint: token.fingerprint, answer: answer,
            expiresAt: IdempotencyRecord.expiry(answeredAt: now, windowSeconds: retention.idempotencyWindowSeconds),
            keyPrefix: keyPrefix))
    }
}
