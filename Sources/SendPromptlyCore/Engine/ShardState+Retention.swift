import HeapModule

/// How long a shard keeps what is finished, and the first answers to idempotency keys.
///
/// Both durations are part of what a journal replays: a shard that replays a journal must hold
/// the policy of the run that wrote it (see ``ShardState/retention``).
public struct RetentionPolicy: Sendable, Equatable {
    /// A finished event (succeeded without an incident, or with its incident resolved) leaves
    /// the shard this long after its last change, with its incident.
    public let retentionSeconds: Int64
    /// How long the first answer to an `Idempotency-Key` is answered again.
    public let idempotencyWindowSeconds: Int64

    /// The shortest either duration may be: one minute.
    public static let minimumSeconds: Int64 = 60
    /// 30 days.
    public static let defaultRetentionSeconds: Int64 = 30 * 86_400

    /// `sendpromptly serve`'s defaults: 30 days of finished history, the wire contract's 24 hours
    /// of idempotency.
    public static let standard = RetentionPolicy()

    public init(
        retentionSeconds: Int64 = RetentionPolicy.defaultRetentionSeconds,
        idempotencyWindowSeconds: Int64 = IdempotencyToken.retentionSeconds
    ) {
        precondition(
            retentionSeconds >= Self.minimumSeconds && idempotencyWindowSeconds >= Self.minimumSeconds,
            "retention and the idempotency window last at least a minute")
        self.retentionSeconds = retentionSeconds
        self.idempotencyWindowSeconds = idempotencyWindowSeconds
    }
}

/// Where one project's retention sweep stands. Not in the snapshot nor the journal: it is an
/// index over the state, not state. What a sweep removes depends only on the events, their
/// incidents and the wheel's time, so a shard restored from a snapshot (whose sweep starts
/// empty and catches up in its first pass) removes exactly what the shard that wrote it did.
final class RetentionSweep {
    /// A finished event behind the front, and the instant (ms) it may leave.
    struct Due: Comparable {
        let at: Int64
        let eventID: EventID

        static func < (lhs: Due, rhs: Due) -> Bool {
            (lhs.at, lhs.eventID) < (rhs.at, rhs.eventID)
        }
    }

    /// Finished events behind the front (``EventTable/sweepFront``: every event before it has
    /// left, waits here, or is unfinished and joins here when it finishes) that changed too recently to leave, earliest first. An
    /// entry may be early (the event changed again since): it is checked when it comes due.
    var waiting = Heap<Due>()
}

extension ShardState {
    /// Removes every finished event whose last change is at least ``RetentionPolicy/retentionSeconds``
    /// before the wheel's time: the event, its provider id, its resolved incident (timeline,
    /// replays, alerts) and any replay deadline left. Pending events and events whose incident
    /// is not resolved stay, however old.
    ///
    /// Runs in ``advance(to:)``, after the deadlines, on the wheel's time (which never goes
    /// back and is in the snapshot), so a journal replayed with the same instants removes the
    /// same events. Work per call: a look at the front and a heap peek per project, plus the events
    /// that became old enough since the previous call; never a walk over every event.
    ///
    /// - Returns: how many events left.
    func sweepRetention() -> Int {
        let now = wheel.currentTime
        var removed = 0
        for project in projects.values {
            removed += sweep(project, at: now)
        }
        return removed
    }

    /// Tells the sweep that `eventID` just finished (succeeded, or its incident was resolved).
    /// Only an event the front has already passed needs it; the front finds the others.
    func retentionNoteFinished(_ eventID: EventID, in project: ProjectState) {
        guard let sweep = retentionSweeps[project.id], project.events.isBehindSweepFront(eventID),
              let event = project.events[eventID], let leavesAt = leavesAt(event, in: project)
        else { return }
        sweep.waiting.insert(.init(at: leavesAt, eventID: eventID))
    }

    /// The instant (ms) `event` may leave: its last change plus the retention, and not before
    /// its receipt's idempotency record expires (which answers from the event,
    /// ``IdempotencyRecord``). An alert still waiting to be sent counts as a change at its due
    /// time, so nothing queued is dropped before it had its chance. Nil while the event is
    /// pending or its incident unresolved.
    func leavesAt(_ event: EventRecord, in project: ProjectState) -> Int64? {
        var lastChange = max(event.acceptedAt.millisecondsSinceEpoch, event.resultAt?.millisecondsSinceEpoch ?? .min)
        if let incidentID = event.incidentID {
            guard let incident = project.incidents[incidentID], incident.status == .resolved else { return nil }
            for entry in incident.timeline {
                lastChange = max(lastChange, entry.at.millisecondsSinceEpoch)
            }
            for alert in incident.alerts {
                if case .sending(let dueAt) = alert.phase { lastChange = max(lastChange, dueAt.millisecondsSinceEpoch) }
            }
        } else if event.state != .succeeded {
            return nil
        }
        return max(
            lastChange + retention.retentionSeconds * 1000,
            IdempotencyRecord.expiry(answeredAt: event.acceptedAt, windowSeconds: retention.idempotencyWindowSeconds))
    }

    private func sweep(_ project: ProjectState, at now: Int64) -> Int {
        let sweep = retentionSweeps[project.id] ?? {
            let new = RetentionSweep()
            retentionSweeps[project.id] = new
            return new
        }()
        var leaving: [EventID] = []
        // The front: events in creation order whose receipt is older than the retention (no
        // younger one can have changed long enough ago).
        let oldest = now - retention.retentionSeconds * 1000
        while let event = project.events.eventAtFront(), event.acceptedAt.millisecondsSinceEpoch <= oldest {
            project.events.passFront()
            guard let leavesAt = leavesAt(event, in: project) else { continue }
            if leavesAt <= now {
                leaving.append(event.id)
            } else {
                sweep.waiting.insert(.init(at: leavesAt, eventID: event.id))
            }
        }
        // Behind the front: finished events whose time came.
        while let due = sweep.waiting.min, due.at <= now {
            sweep.waiting.removeMin()
            guard let event = project.events[due.eventID], let leavesAt = leavesAt(event, in: project) else { continue }
            if leavesAt <= now {
                leaving.append(due.eventID)
            } else {
                sweep.waiting.insert(.init(at: leavesAt, eventID: due.eventID))
            }
        }
        var removed = 0
        for eventID in leaving {
            guard let event = project.removeEvent(eventID) else { continue }
            removed += 1
            guard let incidentID = event.incidentID, let incident = project.removeIncident(incidentID) else { continue }
            for replay in incident.replays {
                if let handle = project.replayTimers.removeValue(forKey: replay.id)?.handle { wheel.cancel(handle) }
            }
        }
        return removed
    }
}
