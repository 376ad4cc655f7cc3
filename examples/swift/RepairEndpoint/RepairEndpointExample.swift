// A SendPromptly repair endpoint in Swift (Hummingbird 2, swift-crypto, AsyncHTTPClient).
//
// When your operator clicks "reprocess" on an incident, SendPromptly POSTs a signed callback to
// your repair URL. This endpoint verifies it, answers 202 at once, then reruns the effect
// (idempotently, keyed on replay_id) and reports the outcome with POST /api/v1/result.
//
//   PORT=3000 SENDPROMPTLY_URL=http://127.0.0.1:8080 SENDPROMPTLY_API_KEY=sk_... \
//   SENDPROMPTLY_SIGNING_SECRET=sps_... swift run RepairEndpointExample
//
//   swift run RepairEndpointExample signals evt_123     # the receipt and result signals (Signals.swift)
//
// Environment: PORT (0 = any free port), SENDPROMPTLY_URL, SENDPROMPTLY_API_KEY,
// SENDPROMPTLY_SIGNING_SECRET, REPAIR_EFFECT_OUTCOME (success | failed: simulates the effect).

import Foundation
import Hummingbird

@main
struct RepairEndpointExample {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == "signals" {
            guard arguments.count == 3 else {
                FileHandle.standardError.write(Data("usage: RepairEndpointExample signals <provider_event_id>\n".utf8))
                exit(2)
            }
            exit(await SendPromptlySignals().demo(providerEventID: arguments[2]))
        }

        let environment = ProcessInfo.processInfo.environment
        guard let secret = environment["SENDPROMPTLY_SIGNING_SECRET"], !secret.isEmpty else {
            FileHandle.standardError.write(Data("SENDPROMPTLY_SIGNING_SECRET is not set\n".utf8))
            exit(2)
        }
        let endpoint = RepairEndpoint(
            verifier: CallbackVerifier(secret: secret),
            signals: SendPromptlySignals(environment: environment),
            effectFails: environment["REPAIR_EFFECT_OUTCOME"] == "failed")

        let router = Router()
        router.post("/sendpromptly/repair") { request, _ in try await endpoint.handle(request) }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: Int(environment["PORT"] ?? "") ?? 3000)),
            onServerRunning: { channel in
                printLine("listening on http://127.0.0.1:\(channel.localAddress?.port ?? 0)")
            })
        // Runs until SIGTERM or SIGINT, then stops gracefully.
        try await app.runService()
    }
}

/// The body fields the repair needs; a body without them is malformed.
struct RepairCallback: Decodable, Sendable {
    let type: String
    let replayID: String
    let attempt: Int?
    let eventID: String
    let effectType: String?
    let internalReference: String?

    enum CodingKeys: String, CodingKey {
        case type, replayID = "replay_id", attempt, eventID = "event_id", effectType = "effect_type"
        case internalReference = "internal_reference"
    }
}

/// What rerunning the effect came to; reported as the result.
struct RepairOutcome: Sendable {
    var status: String // "success" or "failed"
    var errorCode: String? = nil
    var errorMessage: String? = nil
}

/// replay_id -> outcome. A replay_id seen again (SendPromptly retries a delivery whose answer it
/// did not get, always with the same replay_id) gets the stored outcome instead of a second run.
/// In memory here; in production keep it in your database.
actor RepairLedger {
    private var outcomes: [String: Task<RepairOutcome, Never>] = [:]

    /// The outcome of `replayID`: the stored one, or a new run of `effect`. `isNew` is false
    /// when it was applied (or is being applied) already.
    func outcome(of replayID: String, effect: @escaping @Sendable () async -> RepairOutcome) -> (Task<RepairOutcome, Never>, isNew: Bool) {
        if let running = outcomes[replayID] { return (running, false) }
        let task = Task { await effect() }
        outcomes[replayID] = task
        return (task, true)
    }
}

struct RepairEndpoint: Sendable {
    let verifier: CallbackVerifier
    let signals: SendPromptlySignals
    let effectFails: Bool
    let ledger = RepairLedger()

    func handle(_ request: Request) async throws -> Response {
        let body = Array(buffer: try await request.body.collect(upTo: 64 * 1024))
        do {
            try await verifier.verify(
                timestamp: header(request, "x-sendpromptly-timestamp"),
                nonce: header(request, "x-sendpromptly-nonce"),
                signature: header(request, "x-sendpromptly-signature"),
                body: body,
                now: Int64(Date().timeIntervalSince1970))
        } catch {
            printLine("rejected callback: \(error.reason)")
            return try json(.unauthorized, ["error": error.reason])
        }
        guard let callback = try? JSONDecoder().decode(RepairCallback.self, from: Data(body)),
              callback.type == "reprocess.requested", !callback.replayID.isEmpty, !callback.eventID.isEmpty
        else {
            printLine("rejected callback: malformed body")
            return try json(.badRequest, ["error": "malformed body"])
        }
        printLine("accepted \(callback.replayID) attempt \(callback.attempt.map(String.init) ?? "?") for \(callback.eventID)")
        // After the answer: SendPromptly waits at most 10 s for it, the effect may take longer.
        Task { await repair(callback) }
        return try json(.accepted, ["accepted": true])
    }

    /// Reruns the effect once per replay_id, then reports the outcome.
    private func repair(_ callback: RepairCallback) async {
        let (outcome, isNew) = await ledger.outcome(of: callback.replayID) { await runEffect(callback) }
        let result = await outcome.value
        if isNew {
            printLine("effect \(callback.effectType ?? "?") ran for \(callback.eventID) (\(callback.replayID)): \(result.status)")
        } else {
            printLine("\(callback.replayID) already applied; reporting its stored outcome again")
        }
        await report(callback, result)
    }

    /// The business effect, simulated. Real code: unlock access for `internalReference`, idempotently.
    private func runEffect(_ callback: RepairCallback) async -> RepairOutcome {
        if effectFails {
            return RepairOutcome(status: "failed", errorCode: "effect_failed", errorMessage: "\(callback.effectType ?? "effect") failed (simulated)")
        }
        return RepairOutcome(status: "success")
    }

    /// POST /api/v1/result with the replay_id; retried a few times on network errors, 429 and 5xx.
    private func report(_ callback: RepairCallback, _ outcome: RepairOutcome) async {
        let result = SendPromptlySignals.Result(
            eventID: callback.eventID, status: outcome.status, replayID: callback.replayID,
            errorCode: outcome.errorCode, errorMessage: outcome.errorMessage)
        for attempt in 1...3 {
            do {
                let reply = try await signals.sendResult(result, idempotencyKey: "repair-\(callback.replayID)")
                if (reply.status != 429 && reply.status < 500) || attempt == 3 {
                    printLine("reported \(callback.replayID) \(outcome.status) -> \(reply.status)")
                    return
                }
            } catch {
                if attempt == 3 {
                    printLine("reporting \(callback.replayID) failed: \(error)")
                    return
                }
            }
            try? await Task.sleep(for: .seconds(1 << attempt))
        }
    }

    private func header(_ request: Request, _ lowercasedName: String) -> String? {
        request.headers.first { $0.name.canonicalName == lowercasedName }?.value
    }

    private func json(_ status: HTTPResponse.Status, _ body: some Encodable) throws -> Response {
        var response = Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(body))))
        response.headers[.contentType] = "application/json"
        return response
    }
}
