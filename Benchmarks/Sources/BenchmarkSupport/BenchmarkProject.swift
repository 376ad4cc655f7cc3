import SendPromptlyCore

/// A shard holding one project with a `manage` key, the starting point of every benchmark that
/// drives a ``ShardState`` through its commands.
public struct BenchmarkProject {
    public let state: ShardState
    public let project: ProjectID
    public let access: Access
    public let start: Timestamp

    public init(
        settings: ProjectSettings = ProjectSettings(name: "Benchmark"),
        start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)
    ) {
        self.start = start
        state = ShardState.initial(shard: 0, now: start)
        project = ProjectID("prj_01KB7BENCHMARK000000000000")!
        let key = SecretHash(of: "sk_benchmark")
        access = .apiKey(project: project, hash: key)
        _ = try! state.apply(
            .createProject(project, settings, signingSecret: "sps_" + String(repeating: "a", count: 43),
                           key: NewKey(label: "default", scope: .manage, hash: key)),
            now: start)
    }

    /// A Stripe receipt as a checkout handler sends it, with an idempotency key of its own;
    /// `index` makes both unique.
    public static func receipt(_ index: Int, timeoutSeconds: Int64 = 1800) -> (Receipt, IdempotencyToken) {
        let providerEventID = "evt_1QBENCH\(index)"
        let receipt = Receipt(
            provider: .stripe, providerEventID: providerEventID, eventType: "checkout.session.completed",
            effectType: .accessUnlock, internalReference: "user_\(index % 50_000)", timeoutSeconds: timeoutSeconds)
        return (receipt, IdempotencyToken(key: "receipt-\(providerEventID)", fingerprint: SecretHash(of: providerEventID)))
    }
}
