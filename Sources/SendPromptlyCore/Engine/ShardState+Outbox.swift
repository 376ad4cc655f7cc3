/// The outbox of a shard: every repair callback and alert still to be sent lives on its
/// incident, with the instant its next attempt is due. Deliverers (the repair dispatcher, the
/// notifier) read what is due here on start, follow ``EngineEffect/deliveryDue(_:)`` after
/// that, and report each attempt back as a journaled command.
extension ShardState {
    /// Every delivery with an attempt due, at any time: what the deliverers resume on start.
    public func dueDeliveries() -> [DeliveryTicket] {
        var tickets: [DeliveryTicket] = []
        for project in projects.values {
            for incident in project.incidents.values {
                for replay in incident.replays {
                    if case .sending(let dueAt) = replay.phase {
                        tickets.append(DeliveryTicket(projectID: project.id, incidentID: incident.id, item: .replay(replay.id), dueAt: dueAt))
                    }
                }
                for alert in incident.alerts {
                    if case .sending(let dueAt) = alert.phase {
                        tickets.append(DeliveryTicket(projectID: project.id, incidentID: incident.id, item: .alert(alert.number), dueAt: dueAt))
                    }
                }
            }
        }
        return tickets
    }

    /// Records one attempt. Only the attempt the delivery is waiting for counts: a report for a
    /// delivery no longer being sent (a superseded replay, an alert already sent) or for
    /// another attempt number is history already written, and changes nothing.
    ///
    /// - Returns: whether the report was recorded.
    public func recordDeliveryAttempt(_ report: DeliveryReport, project id: ProjectID, now: Timestamp) throws(EngineError) -> Bool {
        guard let project = projects[id] else { throw .notFound("no such project") }
        switch report.item {
        case .replay(let replayID): return recordReplayAttempt(report, replay: replayID, in: project, now: now)
        case .alert(let number): return recordAlertAttempt(report, alert: number, in: project, now: now)
        }
    }

    /// What the next attempt of a replay's callback sends; nil when it no longer waits for one.
    public func replayDelivery(for ticket: DeliveryTicket, now: Timestamp) -> ReplayDelivery? {
        guard case .replay(let replayID) = ticket.item, let project = projects[ticket.projectID] else { return nil }
        return replayDelivery(replayID, of: ticket.incidentID, in: project, now: now)
    }

    /// What the next attempt of an alert sends; nil when it no longer waits for one.
    public func alertDelivery(for ticket: DeliveryTicket) -> AlertDelivery? {
        guard case .alert(let number) = ticket.item, let project = projects[ticket.projectID] else { return nil }
        return alertDelivery(number, of: ticket.incidentID, in: project)
    }
}
