extension ShardState {
    /// The most audit entries one shard keeps; the oldest go first. Operator actions are rare
    /// (people, or a bulk reprocess now and then), so this holds months of them while bounding
    /// what a runaway script could pile up.
    public static let auditCapacity = 10_000

    /// Applies `command` as `actor` did it and, when it is an operator action, records it in the
    /// audit trail in the same state change (so one journal record carries both, and replaying
    /// the journal rebuilds the trail). A refused command records nothing.
    func applyAudited(_ command: ShardCommand, by actor: AuditActor, now: Timestamp) throws(EngineError) -> CommandOutcome {
        let outcome = try apply(command, now: now)
        if let entry = auditEntry(for: command, outcome, by: actor, now: now) {
            auditLog.append(entry)
            if auditLog.count > Self.auditCapacity { auditLog.removeFirst(auditLog.count - Self.auditCapacity) }
        }
        return outcome
    }

    /// The shard's audit entries, oldest first.
    public func auditEntries() -> [AuditEntry] {
        auditLog
    }

    /// The audit trail in the snapshot format: an array of entries, oldest first.
    public func encodeAuditLog(to writer: inout BinaryWriter) {
        writer.write(auditLog)
    }

    /// Restores the audit trail written by ``encodeAuditLog(to:)``.
    public func decodeAuditLog(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        auditLog = try reader.readArray(AuditEntry.self)
    }

    private func auditEntry(for command: ShardCommand, _ outcome: CommandOutcome, by actor: AuditActor, now: Timestamp) -> AuditEntry? {
        func entry(_ project: ProjectID, _ action: String, target: String? = nil, detail: String? = nil, access: Access? = nil) -> AuditEntry {
            AuditEntry(at: now, actor: resolved(actor, access, project), action: action, projectID: project, target: target, detail: detail)
        }
        switch command {
        case .createProject(let id, _, _, _):
            return entry(id, "project.create")
        case .updateProject(let id, let change):
            return entry(id, "project.update", detail: Self.changedFields(change).joined(separator: ", "))
        case .createKey(let id, _):
            guard case .key(let record) = outcome else { return nil }
            return entry(id, "key.create", target: record.id.rawValue)
        case .revokeKey(let id, let key):
            return entry(id, "key.revoke", target: key.rawValue)
        case .rotateSigningSecret(let id, _):
            return entry(id, "signing_secret.rotate")
        case .resolve(let id, let access, let incident, _):
            return entry(id, "incident.resolve", target: incident, access: access)
        case .reprocess(let id, let access, let incident):
            guard case .replay(_, let replay) = outcome else { return nil }
            return entry(id, "incident.reprocess", target: incident, detail: replay.rawValue, access: access)
        case .reprocessMatching(let id, let access, _):
            guard case .replays(let replays, _) = outcome else { return nil }
            return entry(id, "incident.reprocess_bulk", detail: "\(replays.count) incidents", access: access)
        case .receipt, .result, .recordDeliveryAttempt, .advance, .audited:
            return nil
        }
    }

    /// ``AuditActor/commandKey`` as the key's id, looked up from the hash the command carries.
    private func resolved(_ actor: AuditActor, _ access: Access?, _ project: ProjectID) -> AuditActor {
        guard actor == .commandKey, case .apiKey(_, let hash)? = access,
              let id = projects[project]?.keyIDsByHash[hash]
        else { return actor }
        return .apiKey(id)
    }

    /// The wire names of the fields `change` sets.
    private static func changedFields(_ change: ProjectSettingsChange) -> [String] {
        var fields: [String] = []
        if change.name != nil { fields.append("name") }
        if change.mode != nil { fields.append("mode") }
        if change.repairURL != nil { fields.append("repair_url") }
        if change.alertEmails != nil { fields.append("alert_emails") }
        if change.slackWebhookURL != nil { fields.append("slack_webhook_url") }
        if change.defaultTimeoutMinutes != nil { fields.append("default_timeout_minutes") }
        return fields
    }
}
