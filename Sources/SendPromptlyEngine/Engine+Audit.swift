import SendPromptlyCore

extension Engine {
    /// The audit trail over every shard, newest first, at most `limit` entries, optionally of
    /// one project only. Each shard keeps its own projects' entries (they are journaled and
    /// snapshotted with the rest of its state); this merges them by time.
    public func auditLog(project: ProjectID? = nil, limit: Int) async -> [AuditEntry] {
        var entries: [AuditEntry] = []
        let shards = project.map { [shard(for: $0)] } ?? shards
        for shard in shards {
            entries += await shard.read { state, _ in
                Array(state.auditEntries().filter { project == nil || $0.projectID == project }.suffix(limit).reversed())
            }
        }
        // Stable: entries of one shard at the same millisecond stay newest first.
        return Array(entries.sorted { $0.at > $1.at }.prefix(limit))
    }
}
