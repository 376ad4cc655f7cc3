import Benchmark
import BenchmarkSupport
import Foundation
import SendPromptlyCore

/// The engine's work per request and per tick, without HTTP or the journal:
///
/// - **receipt then result**: one shard applying a receipt and, for the event it created, a
///   successful result: the commands behind a pair of ingest requests.
/// - **receipt JSON**: validating a receipt body with `Receipt(body:)`, against Foundation
///   parsing the same bytes (`JSONSerialization`, and `JSONDecoder` into a plain `Decodable`
///   struct of the same fields), which check nothing beyond JSON syntax and types.
/// - **deadline ticks**: see ``registerDeadlineTicks()``.
///
/// The first two do 1,000 operations an iteration, so the figures the tool marks `*` are per
/// operation.
let benchmarks: @Sendable () -> Void = {
    let perOperation = SuiteMode.current.configured(
        Benchmark.Configuration(
            metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .nanoseconds, scalingFactor: .kilo,
            maxDuration: .seconds(3), maxIterations: 2_000))

    Benchmark("receipt-then-result", configuration: perOperation) { (benchmark: Benchmark, cycle: ShardCycle) in
        cycle.prepare(benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        cycle.run()
    } setup: {
        ShardCycle()
    }

    let body = Array(
        #"{"provider":"stripe","provider_event_id":"evt_1QAbCdEfGhIjKlMnOpQrStUv","event_type":"checkout.session.completed","effect_type":"access_unlock","internal_reference":"user_42","occurred_at":"2026-11-30T10:15:00Z","timeout_minutes":30}"#
            .utf8)
    Benchmark("receipt-JSON_Receipt(body:)", configuration: perOperation) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Receipt(body: body))
        }
    }
    Benchmark("receipt-JSON_baseline_JSONSerialization", configuration: perOperation) { benchmark in
        let data = Data(body)
        for _ in benchmark.scaledIterations {
            blackHole(try JSONSerialization.jsonObject(with: data))
        }
    }
    Benchmark("receipt-JSON_baseline_JSONDecoder", configuration: perOperation) { benchmark in
        let data = Data(body)
        let decoder = JSONDecoder()
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(CodableReceipt.self, from: data))
        }
    }

    registerDeadlineTicks()
}

/// The receipt's fields as a Codable route would declare them, for the `JSONDecoder` baseline.
struct CodableReceipt: Decodable {
    let provider: String
    let provider_event_id: String
    let event_type: String
    let effect_type: String
    let internal_reference: String?
    let occurred_at: String?
    let timeout_minutes: Int?
}

/// A shard with one project, receiving receipts and their results. Events and idempotency
/// records accumulate over the run as they do in a server within a day.
final class ShardCycle {
    private let fixture = BenchmarkProject()
    private var now: Timestamp
    private var created = 0
    private var batch: [(receipt: Receipt, token: IdempotencyToken, resultToken: IdempotencyToken)] = []

    init() {
        now = fixture.start
    }

    /// Builds the next `count` receipts and their idempotency tokens (hashing the request is the
    /// HTTP layer's work), one second later than the previous batch.
    func prepare(_ count: Int) {
        batch = (created..<(created + count)).map { index in
            let (receipt, token) = BenchmarkProject.receipt(index)
            return (receipt, token, IdempotencyToken(key: "result-\(index)", fingerprint: SecretHash(of: "result-\(index)")))
        }
        created += count
        now = now.adding(seconds: 1)
    }

    func run() {
        let state = fixture.state
        for item in batch {
            guard case .receipt(let accepted) = try! state.apply(
                .receipt(fixture.project, fixture.access, item.receipt, item.token), now: now)
            else { fatalError("a receipt answered something else") }
            let report = ResultReport(event: .eventID(accepted.answer.eventID.rawValue), status: .success)
            blackHole(try! state.apply(.result(fixture.project, fixture.access, report, item.resultToken), now: now))
        }
    }
}
