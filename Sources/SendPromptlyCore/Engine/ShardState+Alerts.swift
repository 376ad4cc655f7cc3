extension ShardState {
    /// Queues the alerts about `subject` on `incident`: one per channel the project has (email
    /// to its `alert_emails`, Slack to its webhook), each due now. A project with neither gets a
    /// timeline entry saying that nobody was alerted.
    ///
    /// Called inside the state change that causes the alert, so the alert is as durable as
    /// that change: a crash right after cannot lose it.
    func queueAlerts(_ subject: Alert.Subject, on incident: inout Incident, in project: ProjectState, at now: Timestamp) {
        var channels: [(Alert.Channel, [String])] = []
        if !project.settings.alertEmails.isEmpty { channels.append((.email, project.settings.alertEmails)) }
        if project.settings.slackWebhookURL != nil { channels.append((.slack, [])) }
        if channels.isEmpty {
            incident.timeline.append(TimelineEntry(at: now, kind: .alert, detail: "alert not sent: the project has no alert recipients"))
            return
        }
        for (channel, recipients) in channels {
            let alert = Alert(
                number: incident.alerts.count + 1, subject: subject, channel: channel, queuedAt: now, recipients: recipients,
                attempts: [], phase: .sending(dueAt: now))
            incident.alerts.append(alert)
            incident.timeline.append(TimelineEntry(at: now, kind: .alert, detail: "alert queued: " + Self.describe(alert)))
            emit(.deliveryDue(DeliveryTicket(projectID: project.id, incidentID: incident.id, item: .alert(alert.number), dueAt: now)))
        }
    }

    /// Records one attempt of alert `number` (see ``recordDeliveryAttempt(_:project:now:)``).
    func recordAlertAttempt(_ report: DeliveryReport, alert number: Int, in project: ProjectState, now: Timestamp) -> Bool {
        guard var incident = project.incidents[report.incidentID], incident.alerts.indices.contains(number - 1),
              report.attempt.number == incident.alerts[number - 1].attempts.count + 1,
              case .sending = incident.alerts[number - 1].phase
        else { return false }
        let index = number - 1
        incident.alerts[index].attempts.append(report.attempt)
        let outcome = report.attempt.summary
        let about = Self.describe(incident.alerts[index])
        let detail: String
        switch report.disposition {
        case .delivered:
            incident.alerts[index].phase = .sent
            detail = "alert sent: \(about) (\(outcome))"
        case .retry(let dueAt):
            incident.alerts[index].phase = .sending(dueAt: dueAt)
            detail = "alert failed: \(outcome); retry at \(RFC3339.format(dueAt)) (\(about))"
            emit(.deliveryDue(DeliveryTicket(projectID: project.id, incidentID: incident.id, item: .alert(number), dueAt: dueAt)))
        case .halted:
            incident.alerts[index].phase = .failed
            detail = "alert failed: \(outcome) (\(about))"
        case .exhausted:
            incident.alerts[index].phase = .failed
            detail = "alert failed: \(outcome); retries exhausted (\(about))"
        }
        incident.timeline.append(TimelineEntry(at: now, kind: .alert, detail: detail))
        project.incidents[incident.id] = incident
        return true
    }

    func alertDelivery(_ number: Int, of incidentID: IncidentID, in project: ProjectState) -> AlertDelivery? {
        guard let view = project.view(of: incidentID), view.incident.alerts.indices.contains(number - 1) else { return nil }
        let alert = view.incident.alerts[number - 1]
        guard case .sending = alert.phase else { return nil }
        return AlertDelivery(
            view: view, alert: alert, attemptNumber: alert.attempts.count + 1, projectName: project.settings.name,
            mode: project.settings.mode, slackWebhookURL: project.settings.slackWebhookURL)
    }

    private static func describe(_ alert: Alert) -> String {
        switch alert.channel {
        case .email: "\(alert.subjectName) by email to \(alert.recipients.joined(separator: ", "))"
        case .slack: "\(alert.subjectName) to Slack"
        }
    }
}
