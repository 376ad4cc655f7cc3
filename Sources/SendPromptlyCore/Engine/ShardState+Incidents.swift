extension ShardState {
    /// Expires every deadline due at `now`: pending receipts become `timed_out` incidents
    /// (each once), delivered replays without a result put their incident back to `open`,
    /// idempotency records older than the idempotency window are forgotten, and finished events
    /// older than the retention leave (``sweepRetention()``).
    ///
    /// Deadlines due together expire in (deadline, id) order, receipts first, not in the order
    /// the wheel holds them, so that a shard restored from a snapshot and replaying its journal
    /// issues the same incident ids as the shard that wrote them.
    ///
    /// - Returns: how many deadlines expired and events left; zero means nothing changed.
    @discardableResult
    public func advance(to now: Timestamp) -> Int {
        var receipts: [(deadline: Timestamp, event: EventID, project: ProjectState)] = []
        var replays: [(deadline: Timestamp, replay: ReplayID, project: ProjectState)] = []
        var expired = 0
        wheel.advance(to: now.millisecondsSinceEpoch) { payload in
            expired += 1
            // A pending event is never removed, and a replay's deadline leaves its project only
            // when cancelled: both are found (the asserts catch a bug in debug builds; a release
            // build skips the deadline rather than stop the shard).
            switch ShardDeadline(payload) {
            case .receipt(let ordinal, let eventID):
                let project = projectsByOrdinal[Int(ordinal)]
                guard let timeoutAt = project.events.timeoutAt(of: eventID) else { return assertionFailure("deadline of a removed event") }
                receipts.append((timeoutAt, eventID, project))
            case .replay(let ordinal, let replayID):
                let project = projectsByOrdinal[Int(ordinal)]
                guard let timer = project.replayTimers[replayID] else { return assertionFailure("deadline of a forgotten replay") }
                replays.append((timer.deadline, replayID, project))
            }
        }
        receipts.sort { ($0.deadline, $0.event) < ($1.deadline, $1.event) }
        for receipt in receipts { expireReceipt(receipt.event, in: receipt.project) }
        replays.sort { ($0.deadline, $0.replay) < ($1.deadline, $1.replay) }
        for replay in replays { expireReplay(replay.replay, in: replay.project) }
        // Counted with the deadlines: an advance that changed anything is journaled, so a replay
        // forgets the same records at the same instant.
        for project in projects.values { expired += project.idempotency.forget(through: now.millisecondsSinceEpoch) }
        return expired + sweepRetention()
    }

    /// The receipt `eventID` got no result in time: it times out with an incident, unless it is
    /// no longer pending. Its deadline has been handed over already (or was due as it was set).
    func expireReceipt(_ eventID: EventID, in project: ProjectState) {
        _ = project.events.removeTimer(of: eventID)
        guard var event = project.events[eventID], event.state == .pending else { return }
        event.state = .timedOut
        project.events[event.id] = event
        let minutes = (event.timeoutAt.millisecondsSinceEpoch - event.acceptedAt.millisecondsSinceEpoch) / 1000
        let cause = TimelineEntry(
            at: event.timeoutAt, kind: .timeout, detail: "no result within \(Self.describe(seconds: minutes))")
        openIncident(for: event.id, in: project, reason: .timeout, at: event.timeoutAt, cause: cause)
    }

    func openIncident(for eventID: EventID, in project: ProjectState, reason: IncidentReason, at time: Timestamp, cause: TimelineEntry) {
        guard var event = project.events[eventID], event.incidentID == nil else { return }
        let receipt = event.receipt
        var incident = Incident(
            id: nextID(IncidentKind.self, at: time), projectID: project.id, eventID: eventID, reason: reason,
            openedAt: time, status: .open, lastError: event.lastError,
            timeline: [
                TimelineEntry(
                    at: event.acceptedAt, kind: .receipt,
                    detail: "\(receipt.provider.rawValue) \(receipt.providerEventID) \(receipt.eventType) → \(receipt.effectType.rawValue), deadline \(RFC3339.format(event.timeoutAt))"),
                cause,
            ],
            replays: [])
        queueAlerts(.opened, on: &incident, in: project, at: time)
        event.incidentID = incident.id
        project.events[eventID] = event
        project.incidents[incident.id] = incident
        project.incidentOrder.append(incident.id)
        emit(.incidentOpened(IncidentView(incident: incident, event: event)))
    }

    /// Resolves the incident; a replay still active is cancelled, since nothing is left to
    /// repair.
    func resolve(_ incidentID: IncidentID, in project: ProjectState, as resolution: Resolution, note: String?, at now: Timestamp) {
        guard var incident = project.incidents[incidentID], incident.status != .resolved else { return }
        if let active = incident.replays.lastIndex(where: \.isActive) {
            end(&incident.replays[active], as: .cancelled, in: project)
        }
        incident.status = .resolved
        incident.resolvedAt = now
        incident.resolution = resolution
        incident.resolutionNote = note
        var detail = resolution.rawValue
        if let note { detail += ": " + note }
        incident.timeline.append(TimelineEntry(at: now, kind: .resolution, detail: detail))
        queueAlerts(.resolved, on: &incident, in: project, at: now)
        project.incidents[incidentID] = incident
        retentionNoteFinished(incident.eventID, in: project)
        if let view = project.view(of: incidentID) {
            emit(.incidentResolved(view))
        }
    }

    private static func describe(seconds: Int64) -> String {
        if seconds % 60 == 0 { return "\(seconds / 60) minute" + (seconds == 60 ? "" : "s") }
        return "\(seconds) second" + (seconds == 1 ? "" : "s")
    }

    // MARK: Reads and operator actions

    public func event(_ raw: String, access: Access, project id: ProjectID, now: Timestamp) throws(EngineError) -> EventRecord {
        let project = try authorize(access, project: id, scope: .ingest, now: now)
        guard let eventID = EventID(raw), let event = project.events[eventID] else {
            throw .notFound("no such event in this project")
        }
        return event
    }

    public func incident(_ raw: String, access: Access, project id: ProjectID, now: Timestamp) throws(EngineError) -> IncidentView {
        let project = try authorize(access, project: id, scope: .ingest, now: now)
        guard let incidentID = IncidentID(raw), let view = project.view(of: incidentID) else {
            throw .notFound("no such incident in this project")
        }
        return view
    }

    /// Incidents newest first, optionally of one status. `cursor` is the last id of the
    /// previous page; the answer's cursor is nil on the last page.
    public func incidents(
        status: IncidentStatus?, limit: Int, cursor: String?, access: Access, project id: ProjectID, now: Timestamp
    ) throws(EngineError) -> (incidents: [IncidentView], nextCursor: String?) {
        let project = try authorize(access, project: id, scope: .ingest, now: now)
        var end = project.incidentOrder.endIndex
        if let cursor {
            guard let cursorID = IncidentID(cursor),
                  let position = Self.position(of: cursorID, in: project.incidentOrder)
            else { throw .validation(field: "cursor", message: "cursor is not a cursor of this listing") }
            end = position
        }
        var page: [IncidentView] = []
        var index = end
        while index > project.incidentOrder.startIndex, page.count < limit {
            index -= 1
            if let view = project.view(of: project.incidentOrder[index]), status == nil || view.incident.status == status {
                page.append(view)
            }
        }
        let more = page.count == limit && project.incidentOrder[..<index].contains {
            project.incidents[$0].map { status == nil || $0.status == status } ?? false
        }
        return (page, more ? page.last?.incident.id.rawValue : nil)
    }

    private static func position(of id: IncidentID, in order: [IncidentID]) -> Int? {
        var low = order.startIndex
        var high = order.endIndex
        while low < high {
            let middle = (low + high) / 2
            if order[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < order.endIndex && order[low] == id ? low : nil
    }

    /// Resolves an incident by hand (resolution `manual`). Needs scope `manage`; resolving a
    /// resolved incident is a `conflict`.
    public func resolveManually(
        _ raw: String, note: String?, access: Access, project id: ProjectID, now: Timestamp
    ) throws(EngineError) -> IncidentView {
        let project = try authorize(access, project: id, scope: .manage, now: now)
        guard let incidentID = IncidentID(raw), let incident = project.incidents[incidentID] else {
            throw .notFound("no such incident in this project")
        }
        guard incident.status != .resolved else { throw .conflict("the incident is already resolved") }
        resolve(incidentID, in: project, as: .manual, note: note, at: now)
        return project.view(of: incidentID)!
    }
}
