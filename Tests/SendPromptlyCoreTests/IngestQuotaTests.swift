@testable import SendPromptlyCore
import XCTest

/// The per-project quota a live shard enforces (rate and pending cap), driven to the
/// millisecond by a manual clock.
final class IngestQuotaTests: XCTestCase {
    private let clock = ManualClock()
    private var state: ShardState!
    private var projectID: ProjectID!
    private var access: Access!

    private func makeState(_ quota: IngestQuota) {
        state = ShardState(generator: IdentifierGenerator(seed: 11), now: clock.now())
        let project = TestProject.create(in: state, now: clock.now())
        projectID = project.id
        access = project.access
        state.install(quota)
    }

    private func receipt(_ providerEventID: String, key: String? = nil) throws(EngineError) -> ReceiptAccepted {
        let receipt = Receipt(
            provider: .stripe, providerEventID: providerEventID, eventType: "invoice.paid", effectType: .creditGrant,
            timeoutSeconds: 60)
        let key = key ?? "r-\(providerEventID)"
        return try state.receipt(
            receipt, access: access, project: projectID,
            idempotency: IdempotencyToken(key: key, fingerprint: SecretHash(of: key + providerEventID)), now: clock.now()
        ).answer
    }

    private func success(_ eventID: EventID) throws(EngineError) -> ResultApplied {
        let key = UUIDString.next()
        return try state.result(
            ResultReport(event: .eventID(eventID.rawValue), status: .success), access: access, project: projectID,
            idempotency: IdempotencyToken(key: key, fingerprint: SecretHash(of: key)), now: clock.now()
        ).answer
    }

    /// The wait a refusal announces, or nil when `operation` was admitted.
    private func refusal(_ operation: () throws -> Void) -> Int64? {
        do {
            try operation()
            return nil
        } catch EngineError.rateLimited(let wait, _) {
            return wait
        } catch {
            XCTFail("expected rate_limited, got \(error)")
            return nil
        }
    }

    func testABurstPassesThenTheRateHoldsToTheMillisecond() throws {
        makeState(IngestQuota(rate: .init(perSecond: 10, burst: 3), maximumPendingPerProject: nil))
        for index in 0..<3 { _ = try receipt("evt_\(index)") }
        XCTAssertEqual(refusal { _ = try receipt("evt_3") }, 100, "one token every 100 ms")
        XCTAssertEqual(state.pendingReceiptCount, 3, "a refused receipt left nothing behind")
        clock.advance(milliseconds: 99)
        XCTAssertEqual(refusal { _ = try receipt("evt_3") }, 1, "a refusal takes no token: the wait only shrinks")
        clock.advance(milliseconds: 1)
        _ = try receipt("evt_3")
        XCTAssertEqual(refusal { _ = try receipt("evt_4") }, 100)
        clock.advance(milliseconds: 10_000)
        for index in 4..<7 { _ = try receipt("evt_\(index)") }
        XCTAssertNotNil(refusal { _ = try receipt("evt_7") }, "an idle project refills to its burst, not beyond")
    }

    func testResultsAndIdempotentRepeatsCountAgainstTheRate() throws {
        makeState(IngestQuota(rate: .init(perSecond: 1, burst: 2), maximumPendingPerProject: nil))
        let accepted = try receipt("evt_a")
        _ = try success(accepted.eventID)
        XCTAssertEqual(refusal { _ = try receipt("evt_a") }, 1000, "the repeat of a receipt is a request too")
        clock.advance(milliseconds: 1000)
        XCTAssertTrue(try receipt("evt_a").eventID == accepted.eventID)
    }

    func testProjectsHaveTheirOwnBuckets() throws {
        makeState(IngestQuota(rate: .init(perSecond: 1, burst: 1), maximumPendingPerProject: nil))
        let other = TestProject.create(in: state, id: "prj_01E8RESFY7D5KG1HDN796QFP50", name: "Other", now: clock.now())
        _ = try receipt("evt_1")
        XCTAssertNotNil(refusal { _ = try receipt("evt_2") })
        let token = IdempotencyToken(key: "o-1", fingerprint: SecretHash(of: "o-1"))
        _ = try state.receipt(
            Receipt(provider: .stripe, providerEventID: "evt_1", eventType: "invoice.paid", effectType: .creditGrant),
            access: other.access, project: other.id, idempotency: token, now: clock.now())
    }

    func testThePendingCapRefusesOnlyNewReceiptsUntilOneIsAnswered() throws {
        makeState(IngestQuota(rate: nil, maximumPendingPerProject: 2))
        let first = try receipt("evt_1")
        _ = try receipt("evt_2")
        XCTAssertEqual(refusal { _ = try receipt("evt_3") }, ShardState.pendingCapRetryAfterMilliseconds)
        XCTAssertEqual(state.pendingReceiptCount, 2)
        XCTAssertEqual(try receipt("evt_1").eventID, first.eventID, "an idempotent repeat is still answered")
        let redelivery = try receipt("evt_1", key: "redelivery")
        XCTAssertTrue(redelivery.duplicate, "a provider redelivery is still answered")
        _ = try success(first.eventID)
        _ = try receipt("evt_3")
        XCTAssertEqual(state.pendingReceiptCount, 2)
    }

    func testAReplayedJournalIsNotHeldToTheQuota() throws {
        // A new state (as recovery builds one) enforces nothing until the engine installs a quota.
        makeState(.unlimited)
        for index in 0..<50 { _ = try receipt("evt_\(index)") }
        XCTAssertEqual(state.pendingReceiptCount, 50)
        state.install(IngestQuota(rate: nil, maximumPendingPerProject: 50))
        XCTAssertNotNil(refusal { _ = try receipt("evt_50") })
    }

    func testTakeRefusesWithoutGoingIntoDebt() {
        var now = Timestamp(millisecondsSinceEpoch: 5_000)
        var bucket = TokenBucket(capacity: 1, ratePerSecond: 4, now: now)
        XCTAssertEqual(bucket.take(at: now), 0)
        XCTAssertEqual(bucket.take(at: now), 250)
        XCTAssertEqual(bucket.take(at: now), 250, "refusals do not push the next token back")
        now = now.adding(milliseconds: 250)
        XCTAssertEqual(bucket.take(at: now), 0)
    }
}
