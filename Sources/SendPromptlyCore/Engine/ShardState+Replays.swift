/// The deadline of a delivered replay's result, scheduled in the shard's timing wheel as a
/// ``ShardDeadline/replay(project:replay:)``: when it fires before the result with the
/// `replay_id` came, the incident is open again.
struct ReplayDeadline {
    let incidentID: IncidentID
    let deadline: Timestamp
    /// Nil when the deadline was already due as it was set (a clock that went backwards).
    let handle: TimerHandle?
}

extension ShardState {
    /// Requests a reprocess of one incident (section 4): a new replay whose first attempt is
    /// due now, the incident `reprocessing`. A replay still active is superseded: its pending
    /// attempts are dropped and a result naming it no longer reopens the incident.
    ///
    /// Needs scope `manage`. A resolved incident or a project without a repair URL is a
    /// `conflict`.
    public func reprocess(_ raw: String, access: Access, project id: ProjectID, now: Timestamp) throws(EngineError) -> (IncidentView, ReplayID) {
        let project = try authorize(access, project: id, scope: .manage, now: now)
        guard let incidentID = IncidentID(raw), let incident = project.incidents[incidentID] else {
            throw .notFound("no such incident in this project")
        }
        guard incident.status != .resolved else { throw .conflict("the incident is resolved") }
        guard project.settings.repairURL != nil else { throw .conflict("the project has no repair URL") }
        let replayID = startReplay(of: incidentID, in: project, now: now)
        return (project.view(of: incidentID)!, replayID)
    }

    /// Requests a reprocess of every incident the selection matches, oldest first, up to its
    /// limit. Needs scope `manage` and a repair URL (`conflict` without one).
    ///
    /// - Returns: the replays started, and whether more incidents matched than the limit.
    public func reprocess(
        matching selection: ReprocessSelection, access: Access, project id: ProjectID, now: Timestamp
    ) throws(EngineError) -> (replays: [(IncidentID, ReplayID)], truncated: Bool) {
        let project = try authorize(access, project: id, scope: .manage, now: now)
        guard project.settings.repairURL != nil else { throw .conflict("the project has no repair URL") }
        var matched: [IncidentID] = []
        var truncated = false
        for incidentID in project.incidentOrder {
            guard let incident = project.incidents[incidentID], let event = project.events[incident.eventID],
                  selection.matches(incident, effectType: event.effectType)
            else { continue }
            guard matched.count < selection.limit else {
                truncated = true
                break
            }
            matched.append(incidentID)
        }
        return (matched.map { ($0, startReplay(of: $0, in: project, now: now)) }, truncated)
    }

    private func startReplay(of incidentID: IncidentID, in project: ProjectState, now: Timestamp) -> ReplayID {
        var incident = project.incidents[incidentID]!
        let replayID = nextID(ReplayKind.self, at: now)
        if let active = incident.replays.lastIndex(where: \.isActive) {
            end(&incident.replays[active], as: .superseded, in: project)
            incident.timeline.append(TimelineEntry(
                at: now, kind: .replayAttempt, detail: "replay \(incident.replays[active].id) superseded by \(replayID)"))
        }
        incident.replays.append(Replay(id: replayID, requestedAt: now, attempts: [], phase: .sending(dueAt: now)))
        incident.status = .reprocessing
        incident.timeline.append(TimelineEntry(at: now, kind: .replayRequested, detail: "replay \(replayID) requested"))
        project.incidents[incidentID] = incident
        emit(.deliveryDue(DeliveryTicket(projectID: project.id, incidentID: incidentID, item: .replay(replayID), dueAt: now)))
        return replayID
    }

    /// Records one callback attempt of `replayID` (see ``recordDeliveryAttempt(_:project:now:)``).
    func recordReplayAttempt(_ report: DeliveryReport, replay replayID: ReplayID, in project: ProjectState, now: Timestamp) -> Bool {
        let id = project.id
        guard var incident = project.incidents[report.incidentID],
              let index = incident.replays.firstIndex(where: { $0.id == replayID }),
              report.attempt.number == incident.replays[index].attempts.count + 1
        else { return false }
        incident.replays[index].attempts.append(report.attempt)
        var detail = "replay \(replayID) attempt \(report.attempt.number): " + report.attempt.summary
        guard case .sending = incident.replays[index].phase else {
            // The attempt finished after the replay moved on (its result came first, or it was
            // superseded): every attempt is on the timeline, but it changes nothing else.
            incident.timeline.append(TimelineEntry(
                at: now, kind: .replayAttempt, detail: detail + " (the replay was already \(incident.replays[index].phase.name))"))
            project.incidents[incident.id] = incident
            return true
        }
        var dueAlready: ReplayID?
        switch report.disposition {
        case .delivered:
            let event = project.events[incident.eventID]!
            let deadline = now.adding(
                seconds: (event.timeoutAt.millisecondsSinceEpoch - event.acceptedAt.millisecondsSinceEpoch) / 1000)
            incident.replays[index].phase = .awaitingResult(deadline: deadline)
            let timer = scheduleReplayDeadline(replayID, of: incident.id, in: project, at: deadline)
            // Only a clock that went backwards makes the deadline due already.
            if timer.handle == nil { dueAlready = replayID }
            detail += ", delivered; result due by \(RFC3339.format(deadline))"
        case .retry(let dueAt):
            incident.replays[index].phase = .sending(dueAt: dueAt)
            detail += ", retry at \(RFC3339.format(dueAt))"
            emit(.deliveryDue(DeliveryTicket(projectID: id, incidentID: incident.id, item: .replay(replayID), dueAt: dueAt)))
        case .halted:
            detail += ", halted"
        case .exhausted:
            detail += ", retries exhausted"
        }
        incident.timeline.append(TimelineEntry(at: now, kind: .replayAttempt, detail: detail))
        project.incidents[incident.id] = incident
        if let dueAlready { expireReplay(dueAlready, in: project) }
        switch report.disposition {
        case .halted: reopen(incident.id, in: project, replay: replayID, as: .halted, at: now, because: "replay \(replayID) halted")
        case .exhausted: reopen(incident.id, in: project, replay: replayID, as: .exhausted, at: now, because: "replay \(replayID) exhausted its retries")
        case .delivered, .retry: break
        }
        return true
    }

    /// Schedules the result deadline of delivered replay `replayID` and files it with its
    /// project; the deadline's handle is nil when it is due already.
    @discardableResult
    func scheduleReplayDeadline(_ replayID: ReplayID, of incidentID: IncidentID, in project: ProjectState, at deadline: Timestamp) -> ReplayDeadline {
        let handle = wheel.schedule(
            deadline: deadline.millisecondsSinceEpoch, payload: ShardDeadline.replay(project: project.ordinal, replay: replayID).payload)
        let timer = ReplayDeadline(incidentID: incidentID, deadline: deadline, handle: handle)
        project.replayTimers[replayID] = timer
        return timer
    }

    /// A delivered replay's result did not come in time.
    func expireReplay(_ replayID: ReplayID, in project: ProjectState) {
        guard let timer = project.replayTimers.removeValue(forKey: replayID) else { return }
        reopen(
            timer.incidentID, in: project, replay: replayID, as: .timedOut,
            at: timer.deadline, because: "no result for replay \(replayID) in time")
    }

    /// Ends the active replay `replayID` as `phase` and puts the incident back to `open`, with a
    /// timeline entry, an alert queued, and a ``EngineEffect/replayEnded(_:replay:)``. Nothing
    /// happens when that replay is not the active one.
    func reopen(_ incidentID: IncidentID, in project: ProjectState, replay replayID: ReplayID, as phase: Replay.Phase, at now: Timestamp, because reason: String) {
        guard var incident = project.incidents[incidentID], incident.status == .reprocessing,
              let index = incident.replays.firstIndex(where: { $0.id == replayID }), incident.replays[index].isActive
        else { return }
        end(&incident.replays[index], as: phase, in: project)
        incident.status = .open
        incident.timeline.append(TimelineEntry(at: now, kind: .replayAttempt, detail: reason + "; incident open again"))
        queueAlerts(.replayEnded(replayID), on: &incident, in: project, at: now)
        project.incidents[incidentID] = incident
        emit(.replayEnded(project.view(of: incidentID)!, replay: replayID))
    }

    /// Sets a replay's final phase and forgets its result deadline.
    func end(_ replay: inout Replay, as phase: Replay.Phase, in project: ProjectState) {
        if let handle = project.replayTimers.removeValue(forKey: replay.id)?.handle {
            wheel.cancel(handle)
        }
        replay.phase = phase
    }

    /// What the next attempt of `replayID` sends; nil when the replay no longer waits for one
    /// (delivered, superseded, the incident resolved).
    func replayDelivery(_ replayID: ReplayID, of incidentID: IncidentID, in project: ProjectState, now: Timestamp) -> ReplayDelivery? {
        guard let view = project.view(of: incidentID),
              let replay = view.incident.replays.first(where: { $0.id == replayID }),
              case .sending = replay.phase
        else { return nil }
        return ReplayDelivery(
            view: view, replay: replay, attemptNumber: replay.attempts.count + 1, repairURL: project.settings.repairURL,
            mode: project.settings.mode, signingSecrets: project.signingSecrets.active(at: now))
    }
}
