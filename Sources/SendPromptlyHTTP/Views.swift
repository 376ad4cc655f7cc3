import SendPromptlyCore

/// The JSON shapes of the wire contract (sections 3, 4 and 6), built from engine values.
/// Members keep a fixed order, and absent optional values are `null` rather than missing, so
/// clients see one shape per resource.
enum Views {
    static func time(_ timestamp: Timestamp?) -> JSON {
        timestamp.map { .string(RFC3339.format($0)) } ?? .null
    }

    static func receiptAccepted(_ accepted: ReceiptAccepted) -> JSON {
        var members: [(String, JSON)] = [
            ("event_id", .string(accepted.eventID.rawValue)),
            ("timeout_at", time(accepted.timeoutAt)),
            ("accepted", true),
        ]
        if accepted.duplicate { members.append(("duplicate", true)) }
        return .object(members)
    }

    static func resultApplied(_ applied: ResultApplied) -> JSON {
        .object([
            ("event_id", .string(applied.eventID.rawValue)),
            ("status", .string(applied.succeeded ? "succeeded" : "failed")),
            ("incident_id", .optional(applied.incidentID?.rawValue)),
            ("incident_status", .optional(applied.incidentStatus?.rawValue)),
        ])
    }

    static func error(_ error: ReportedError?) -> JSON {
        guard let error, error.code != nil || error.message != nil else { return .null }
        return .object([("code", .optional(error.code)), ("message", .optional(error.message))])
    }

    static func event(_ event: EventRecord) -> JSON {
        let receipt = event.receipt
        return .object([
            ("event_id", .string(event.id.rawValue)),
            ("provider", .string(receipt.provider.rawValue)),
            ("provider_event_id", .string(receipt.providerEventID)),
            ("event_type", .string(receipt.eventType)),
            ("effect_type", .string(receipt.effectType.rawValue)),
            ("internal_reference", .optional(receipt.internalReference)),
            ("occurred_at", time(receipt.occurredAt)),
            ("shopify_shop_domain", .optional(receipt.shopifyShopDomain)),
            ("state", .string(event.state.rawValue)),
            ("accepted_at", time(event.acceptedAt)),
            ("timeout_at", time(event.timeoutAt)),
            ("result_at", time(event.resultAt)),
            ("last_error", error(event.lastError)),
            ("incident_id", .optional(event.incidentID?.rawValue)),
        ])
    }

    static func incident(_ view: IncidentView) -> JSON {
        let incident = view.incident
        let receipt = view.event.receipt
        return .object([
            ("id", .string(incident.id.rawValue)),
            ("event_id", .string(incident.eventID.rawValue)),
            ("reason", .string(incident.reason.rawValue)),
            ("status", .string(incident.status.rawValue)),
            ("opened_at", time(incident.openedAt)),
            ("resolved_at", time(incident.resolvedAt)),
            ("resolution", .optional(incident.resolution?.rawValue)),
            ("resolution_note", .optional(incident.resolutionNote)),
            ("provider", .string(receipt.provider.rawValue)),
            ("provider_event_id", .string(receipt.providerEventID)),
            ("event_type", .string(receipt.eventType)),
            ("effect_type", .string(receipt.effectType.rawValue)),
            ("internal_reference", .optional(receipt.internalReference)),
            ("timeout_at", time(view.event.timeoutAt)),
            ("last_error", error(incident.lastError)),
            ("timeline", .array(incident.timeline.map { entry in
                .object([("at", time(entry.at)), ("kind", .string(entry.kind.rawValue)), ("detail", .string(entry.detail))])
            })),
            ("replays", .array(incident.replays.map { replay in
                .object([
                    ("replay_id", .string(replay.id.rawValue)),
                    ("requested_at", time(replay.requestedAt)),
                    ("status", .string(replay.phase.name)),
                    ("next_attempt_at", { if case .sending(let dueAt) = replay.phase { time(dueAt) } else { .null } }()),
                    ("result_due_at", { if case .awaitingResult(let deadline) = replay.phase { time(deadline) } else { .null } }()),
                    ("attempts", .array(replay.attempts.map(attempt))),
                ])
            })),
            ("alerts", .array(incident.alerts.map { alert in
                .object([
                    ("about", .string(alert.subjectName)),
                    ("channel", .string(alert.channel.rawValue)),
                    ("recipients", .array(alert.recipients.map(JSON.string))),
                    ("queued_at", time(alert.queuedAt)),
                    ("status", .string(alert.phaseName)),
                    ("next_attempt_at", { if case .sending(let dueAt) = alert.phase { time(dueAt) } else { .null } }()),
                    ("attempts", .array(alert.attempts.map(attempt))),
                ])
            })),
        ])
    }

    private static func attempt(_ attempt: DeliveryAttempt) -> JSON {
        .object([
            ("attempt", .integer(Int64(attempt.number))),
            ("at", time(attempt.at)),
            ("status_code", attempt.statusCode.map { .integer(Int64($0)) } ?? .null),
            ("error", .optional(attempt.error)),
        ])
    }

    /// A project; `signingSecret` only where the operator asked for this one project.
    static func project(_ project: ProjectSummary, includingSigningSecret: Bool) -> [(String, JSON)] {
        let settings = project.settings
        var members: [(String, JSON)] = [
            ("project_id", .string(project.id.rawValue)),
            ("name", .string(settings.name)),
            ("mode", .string(settings.mode.rawValue)),
            ("repair_url", .optional(settings.repairURL)),
            ("alert_emails", .array(settings.alertEmails.map(JSON.string))),
            ("slack_webhook_url", .optional(settings.slackWebhookURL)),
            ("default_timeout_minutes", .integer(Int64(settings.defaultTimeoutMinutes))),
            ("created_at", time(project.createdAt)),
            ("open_incidents", .integer(Int64(project.openIncidents))),
            ("pending_receipts", .integer(Int64(project.pendingReceipts))),
        ]
        if includingSigningSecret { members.append(("signing_secret", .string(project.signingSecret))) }
        return members
    }

    /// A key as listed: never the key itself.
    static func key(_ key: APIKeyRecord) -> [(String, JSON)] {
        [
            ("key_id", .string(key.id.rawValue)),
            ("label", .string(key.label)),
            ("scope", .string(key.scope.rawValue)),
            ("created_at", time(key.createdAt)),
            ("last_used_at", time(key.lastUsedAt)),
            ("revoked_at", time(key.revokedAt)),
        ]
    }
}
