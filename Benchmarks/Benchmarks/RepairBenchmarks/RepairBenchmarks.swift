import Benchmark
import BenchmarkSupport
import Crypto
import SendPromptlyCore
import SendPromptlyRepair

/// What the dispatcher spends on one callback before the network: the JSON body of section 5
/// and its HMAC-SHA256 signature, side by side with the bare HMAC of the same bytes (the floor:
/// swift-crypto's cost for the message), with one and two signing secrets (a rotation's grace
/// period signs twice).
let benchmarks: @Sendable () -> Void = {
    let configuration = SuiteMode.current.configured(Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .throughput], timeUnits: .nanoseconds, scalingFactor: .kilo,
        maxDuration: .seconds(5)))
    let fixture = DeliveryFixture()
    let nonce = "0123456789abcdef0123456789abcdef"
    Benchmark("callback-body-and-signature_one-secret", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(RepairCallback(delivery: fixture.delivery, timestamp: 1_764_397_800, nonce: nonce))
        }
    }
    Benchmark("callback-body-and-signature_two-secrets", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(RepairCallback(delivery: fixture.rotated, timestamp: 1_764_397_800, nonce: nonce))
        }
    }
    Benchmark("baseline_HMAC-SHA256-of-the-same-message", configuration: configuration) { benchmark in
        let body = RepairCallback(delivery: fixture.delivery, timestamp: 1_764_397_800, nonce: nonce).body
        let message = Array("1764397800.\(nonce).".utf8) + body
        let key = SymmetricKey(data: Array(fixture.delivery.signingSecrets[0].utf8))
        for _ in benchmark.scaledIterations {
            blackHole(HMAC<SHA256>.authenticationCode(for: message, using: key))
        }
    }
}

/// A replay of a failed incident, read from a shard as the dispatcher reads it.
struct DeliveryFixture {
    let delivery: ReplayDelivery
    let rotated: ReplayDelivery

    init() {
        let fixture = BenchmarkProject(settings: ProjectSettings(name: "Benchmark", repairURL: "https://shop.example/repair"))
        let (state, project, access, start) = (fixture.state, fixture.project, fixture.access, fixture.start)
        let receipt = Receipt(
            provider: .stripe, providerEventID: "evt_1QAbCdEfGhIjKlMnOpQrStUv", eventType: "checkout.session.completed",
            effectType: .accessUnlock, internalReference: "user_42", timeoutSeconds: 1800)
        guard case .receipt(let accepted) = try! state.apply(
            .receipt(project, access, receipt, IdempotencyToken(key: "r", fingerprint: SecretHash(of: "r"))), now: start),
            case .result(let applied) = try! state.apply(
                .result(project, access, ResultReport(event: .eventID(accepted.answer.eventID.rawValue), status: .failed,
                                                      error: ReportedError(code: "db_timeout", message: "entitlements table locked")),
                        IdempotencyToken(key: "f", fingerprint: SecretHash(of: "f"))), now: start),
            let incident = applied.answer.incidentID,
            case .replay(_, let replayID) = try! state.apply(.reprocess(project, access, incident: incident.rawValue), now: start)
        else { fatalError("the fixture's flow failed") }
        let ticket = DeliveryTicket(projectID: project, incidentID: incident, item: .replay(replayID), dueAt: start)
        delivery = state.replayDelivery(for: ticket, now: start)!
        _ = try! state.apply(.rotateSigningSecret(project, secret: "sps_" + String(repeating: "b", count: 43)), now: start)
        rotated = state.replayDelivery(for: ticket, now: start)!
    }
}
