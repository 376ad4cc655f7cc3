// The two signals a payment webhook handler sends to SendPromptly (AsyncHTTPClient).
//
//   1. sendReceipt(...) right after the provider's webhook is verified and durably stored,
//      before the business effect runs: "I accepted this payment event".
//   2. sendResult(...) once the effect (unlock access, grant credits, ...) ran: success or failed.
//
// A failed result, or no result before the deadline, opens an incident for your operator.
//
// `RepairEndpointExample signals <provider_event_id>` demonstrates both (see `demo`).

import AsyncHTTPClient
import Foundation

struct SendPromptlySignals: Sendable {
    /// The answer of SendPromptly: its status code and JSON text.
    struct Reply: Sendable {
        let status: Int
        let body: String
    }

    /// `POST /api/v1/receipt`. `effect_type` is one of access_unlock, credit_grant, seat_update,
    /// subscription_state_apply, access_revocation, credit_deduction; nil fields are left out.
    struct Receipt: Encodable, Sendable {
        var provider: String // "stripe" or "shopify"
        var providerEventID: String // Stripe evt_..., Shopify webhook id
        var eventType: String // e.g. checkout.session.completed
        var effectType: String
        var internalReference: String? = nil // your user/account id
        var timeoutMinutes: Int? = nil // 1...10080, default 30

        enum CodingKeys: String, CodingKey {
            case provider, providerEventID = "provider_event_id", eventType = "event_type", effectType = "effect_type"
            case internalReference = "internal_reference", timeoutMinutes = "timeout_minutes"
        }
    }

    /// `POST /api/v1/result`: name the event by `event_id` (from the receipt's answer) or by
    /// `provider_event_id`; `replay_id` is set when reporting the outcome of a repair callback.
    struct Result: Encodable, Sendable {
        var eventID: String? = nil
        var providerEventID: String? = nil
        var status: String // "success" or "failed"
        var replayID: String? = nil
        var errorCode: String? = nil // short machine-readable label, <= 100 chars
        var errorMessage: String? = nil // <= 2000 chars

        enum CodingKeys: String, CodingKey {
            case eventID = "event_id", providerEventID = "provider_event_id", status, replayID = "replay_id"
            case errorCode = "error_code", errorMessage = "error_message"
        }
    }

    let baseURL: String
    let apiKey: String

    /// Reads SENDPROMPTLY_URL and SENDPROMPTLY_API_KEY.
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var url = environment["SENDPROMPTLY_URL"] ?? "http://127.0.0.1:8080"
        while url.hasSuffix("/") { url.removeLast() }
        baseURL = url
        apiKey = environment["SENDPROMPTLY_API_KEY"] ?? ""
    }

    /// The acceptance signal. Answers 202 {event_id, timeout_at, accepted} (also for a provider
    /// redelivery, with "duplicate": true).
    func sendReceipt(_ receipt: Receipt) async throws -> Reply {
        try await post("/api/v1/receipt", receipt, idempotencyKey: "receipt-\(receipt.providerEventID)")
    }

    /// The outcome signal. Answers 200 {event_id, status, incident_id, incident_status}.
    func sendResult(_ result: Result, idempotencyKey: String? = nil) async throws -> Reply {
        let event = result.eventID ?? result.providerEventID ?? ""
        return try await post("/api/v1/result", result, idempotencyKey: idempotencyKey ?? "result-\(event)-\(result.status)")
    }

    /// POSTs `body` as JSON. Every POST to receipt or result carries an Idempotency-Key:
    /// retrying with the same key and body is always safe.
    private func post(_ path: String, _ body: some Encodable, idempotencyKey: String) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        // Sorted keys: a retry must send the very same bytes, or SendPromptly answers 422
        // idempotency_key_reused (JSONEncoder's key order may differ from one run to the next).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        request.body = .bytes(try encoder.encode(body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), body: String(decoding: text.readableBytesView, as: UTF8.self))
    }

    /// The demo: what a Stripe webhook handler does for checkout.session.completed. Answers the
    /// process's exit status.
    func demo(providerEventID: String) async -> Int32 {
        do {
            // (Your handler has verified Stripe's signature and stored the event at this point.)
            let receipt = try await sendReceipt(Receipt(
                provider: "stripe", providerEventID: providerEventID, eventType: "checkout.session.completed",
                effectType: "access_unlock", internalReference: "user_42", timeoutMinutes: 30))
            printLine("receipt -> \(receipt.status) \(receipt.body)")
            struct Accepted: Decodable { let event_id: String }
            guard receipt.status == 202,
                  let eventID = try? JSONDecoder().decode(Accepted.self, from: Data(receipt.body.utf8)).event_id
            else {
                return 1
            }

            // The business effect; a fake one here. Real code unlocks access idempotently.
            let unlockAccess = { (userID: String) async -> Bool in !userID.isEmpty }
            let ok = await unlockAccess("user_42")

            let result = try await sendResult(Result(
                eventID: eventID, status: ok ? "success" : "failed", errorCode: ok ? nil : "unlock_failed"))
            printLine("result -> \(result.status) \(result.body)")
            return result.status == 200 ? 0 : 1
        } catch {
            FileHandle.standardError.write(Data("signals failed: \(error)\n".utf8))
            return 1
        }
    }
}

/// Writes one line to stdout at once (print() would buffer it when stdout is a pipe).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
