import SendPromptlyCore

/// The curl commands of the Integration Test screen: the receipt and result calls of the
/// ingest API as the SendPromptly docs show them, filled in for one project and one test event.
struct CurlCommands {
    /// The server as the operator reaches it, without a trailing slash.
    let baseURL: String
    /// The key that goes into `Authorization`: the key just created, or a shell variable.
    let apiKey: String
    /// A new provider event id for this test run.
    let providerEventID: String
    /// Makes each Idempotency-Key of the run distinct from every earlier one.
    let runID: String

    /// Stands for the project's key when it is not on the page: `"$SENDPROMPTLY_API_KEY"`
    /// expands in the double-quoted header.
    static let keyPlaceholder = "$SENDPROMPTLY_API_KEY"

    /// A new run: a fresh provider event id and fresh idempotency keys.
    init(baseURL: String, apiKey: String?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey ?? Self.keyPlaceholder
        let random = SessionStore.randomToken()
        providerEventID = "evt_test_" + random.prefix(16)
        runID = String(random.suffix(12))
    }

    var receipt: String {
        command("/api/v1/receipt", idempotencyKey: "receipt-\(providerEventID)-\(runID)", body: [
            ("provider", .string("stripe")),
            ("provider_event_id", .string(providerEventID)),
            ("event_type", .string("checkout.session.completed")),
            ("effect_type", .string(EffectType.accessUnlock.rawValue)),
            ("internal_reference", .string("integration-test")),
            ("timeout_minutes", .integer(30)),
        ])
    }

    var successResult: String {
        command("/api/v1/result", idempotencyKey: "result-\(providerEventID)-success-\(runID)", body: [
            ("provider_event_id", .string(providerEventID)),
            ("status", .string("success")),
        ])
    }

    var failedResult: String {
        command("/api/v1/result", idempotencyKey: "result-\(providerEventID)-failed-\(runID)", body: [
            ("provider_event_id", .string(providerEventID)),
            ("status", .string("failed")),
            ("error_code", .string("integration_test")),
            ("error_message", .string("simulated failure from the Integration Test screen")),
        ])
    }

    /// What a repair endpoint reports after a callback: the result carrying the `replay_id`.
    /// Without a replay in flight, the id is a placeholder to replace.
    func replayResult(providerEventID event: String?, replayID: String?) -> String {
        let replay = replayID ?? "rpl_REPLACE_WITH_THE_REPLAY_ID"
        return command("/api/v1/result", idempotencyKey: "repair-\(replay)-\(runID)", body: [
            ("provider_event_id", .string(event ?? providerEventID)),
            ("status", .string("success")),
            ("replay_id", .string(replay)),
        ])
    }

    private func command(_ path: String, idempotencyKey: String, body: [(String, JSON)]) -> String {
        [
            "curl -sS -X POST \(Self.quoted(baseURL + path))",
            "  -H \"Authorization: Bearer \(apiKey)\"",
            "  -H 'Accept: application/json' -H 'Content-Type: application/json'",
            "  -H \(Self.quoted("Idempotency-Key: " + idempotencyKey))",
            "  -d \(Self.quoted(JSON.object(body).serialized))",
        ].joined(separator: " \\\n")
    }

    /// `text` in single quotes for a POSIX shell.
    static func quoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }
}
