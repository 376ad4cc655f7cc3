@testable import SendPromptlyCore
import XCTest

/// The column encoding of format version 3: identifiers as differences, every field of an event
/// and an idempotency record back as it was, and damaged bytes refused with a reason.
final class SnapshotColumnsTests: XCTestCase {
    func testIssuedIdentifiersSpellTheirULIDAndOtherTextIsNoIdentifier() {
        var generator = IdentifierGenerator(seed: 3)
        var now = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)
        for step in 0..<2000 {
            if step % 7 == 0 { now = now.adding(milliseconds: Int64(step % 3)) }
            let id: EventID = generator.next(at: now)
            XCTAssertEqual(EventID(ulid: id.ulid), id)
            XCTAssertEqual(EventID(id.rawValue), id)
        }
        for text in ["ev_unknown", "ev_01kb7benchmark0000000000", "ev_81KB7BENCHMARK0000000000", "ev_01KB7BENCHMARK000000000I", "ev_01KB7BENCHMARK00000000000"] {
            XCTAssertNil(EventID(text), text)
        }
    }

    func testEventsAndRecordsComeBackFieldForField() throws {
        let start = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)
        var generator = IdentifierGenerator(seed: 5)
        var events: [EventRecord] = []
        for index in 0..<300 {
            let at = start.adding(milliseconds: Int64(index / 4 * 3))
            // An identifier out of the generator's order among issued ones, each kind of optional field set or not.
            let id: EventID = index == 150 ? EventID("ev_01J7FGFXS7PFDH1K280DPJGM6N")! : generator.next(at: at)
            // Provider ids short enough to be kept inline, longer ones (kept apart), non-ASCII ones.
            let providerEventID = switch index % 6 {
            case 0: "évènement_支払い_\(index)"
            case 1: "evt_" + String(repeating: "0123456789", count: 3 + index % 20) + "_\(index)"
            default: "evt_\(index)"
            }
            events.append(EventRecord(
                id: id,
                receipt: Receipt(
                    provider: index % 5 == 0 ? .shopify : .stripe, providerEventID: providerEventID, eventType: ["a.b", "invoice.paid", "x"][index % 3],
                    effectType: EffectType.allCases[index % EffectType.allCases.count],
                    internalReference: index % 2 == 0 ? "user_\(index)" : nil, occurredAt: index % 3 == 0 ? at.adding(seconds: -5) : nil,
                    shopifyShopDomain: index % 5 == 0 ? "shop\(index).myshopify.com" : nil, timeoutSeconds: index % 4 == 0 ? nil : Int64(60 + index % 2)),
                acceptedAt: at, timeoutAt: at.adding(seconds: Int64(60 + index % 2)),
                state: [.pending, .succeeded, .failed, .timedOut][index % 4], incidentID: index % 4 >= 2 ? generator.next(at: at) : nil,
                resultAt: index % 4 == 1 ? at.adding(seconds: 1) : nil,
                lastError: index % 4 == 2 ? ReportedError(code: "E\(index)", message: index % 8 == 2 ? nil : "broke") : nil))
        }
        var columns = EventColumns(capacity: 0)
        for event in events { columns.append(event) }
        var writer = BinaryWriter()
        columns.write(to: &writer)
        var reader = BinaryReader(writer.bytes)
        var decoded: [EventRecord] = []
        var reserved: (Int, Int)?
        var interner = StringInterner()
        try EventColumns.read(from: &reader, sharedSpelling: { interner.intern($0) }) { reserved = ($0, $1) } each: { event, _ in decoded.append(event) }
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertEqual(reserved?.0, 300)
        XCTAssertEqual(reserved?.1, 75)
        XCTAssertEqual(decoded.count, events.count)
        for (got, expected) in zip(decoded, events) {
            XCTAssertEqual(got.id, expected.id)
            XCTAssertEqual(got.receipt, expected.receipt)
            XCTAssertEqual(got.acceptedAt, expected.acceptedAt)
            XCTAssertEqual(got.timeoutAt, expected.timeoutAt)
            XCTAssertEqual(got.state, expected.state)
            XCTAssertEqual(got.incidentID, expected.incidentID)
            XCTAssertEqual(got.resultAt, expected.resultAt)
            XCTAssertEqual(got.lastError, expected.lastError)
        }
        for length in stride(from: 0, to: writer.bytes.count, by: 7) {
            var truncated = BinaryReader(Array(writer.bytes.prefix(length)))
            XCTAssertThrowsError(try EventColumns.read(from: &truncated, sharedSpelling: SharedText.init) { _, _ in } each: { _, _ in }, "prefix \(length)")
        }
    }

    func testFlippedBytesNeverTrapTheDecoder() throws {
        let (state, _) = try Self.shard(receipts: 50)
        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        for index in writer.bytes.indices {
            var bytes = writer.bytes
            bytes[index] ^= 0x5A
            var reader = BinaryReader(bytes)
            // The file's checksum catches damage; what this guards is that decoding never traps.
            _ = try? ShardState.decodeSnapshot(from: &reader)
        }
    }

    func testIdempotencyRecordsKeepAnswersAndTheFingerprintsFirst64Bits() throws {
        let (state, project) = try Self.shard(receipts: 40)
        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let restored = try ShardState.decodeSnapshot(from: &reader)
        let before = Array(state.projects[project]!.idempotency.live)
        let after = Array(restored.projects[project]!.idempotency.live)
        XCTAssertEqual(after.map(\.keyDigest), before.map(\.keyDigest))
        XCTAssertEqual(after.map(\.expiresAt), before.map(\.expiresAt))
        XCTAssertEqual(after.map { "\($0.answer)" }, before.map { "\($0.answer)" })
        XCTAssertTrue(zip(after, before).allSatisfy { $0.fingerprint == $1.fingerprint })
        let full = SecretHash(of: "body")
        XCTAssertEqual(IdempotencyToken(key: "k", fingerprint: full).fingerprint.words.0, full.words.0)
        XCTAssertEqual(IdempotencyToken(key: "k", fingerprint: full).fingerprint.words.1, 0)
        XCTAssertEqual(IdempotencyToken(key: "k", fingerprint: full).fingerprint.words.2, 0)
    }

    /// Keys made from the provider event id are stored as their prefix's index, not their
    /// digest, and answer the same after a restore; any other key keeps its digest. A receipt's
    /// key whose event is gone is forgotten, and new again after the restore.
    func testKeysMadeFromTheProviderEventIDAreStoredAsTheirSpelling() throws {
        let (state, project) = try Self.shard(receipts: 0)
        let now = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)
        let access = Access.apiKey(project: project, hash: SecretHash(of: "sk_columns"))
        func receipt(_ providerEventID: String) -> Receipt {
            Receipt(provider: .stripe, providerEventID: providerEventID, eventType: "invoice.paid", effectType: .creditGrant, timeoutSeconds: 600)
        }
        var sent: [(key: String, providerEventID: String, answer: CommandOutcome)] = []
        for index in 0..<40 {
            let providerEventID = "evt_1N\(index)"
            let key = ["receipt-" + providerEventID, providerEventID, "r\(index)", "stripe:" + providerEventID][index % 4]
            let outcome = try state.apply(.receipt(project, access, receipt(providerEventID), IdempotencyToken(key: key, fingerprint: SecretHash(of: key))), now: now)
            sent.append((key, providerEventID, outcome))
        }
        // A redelivery under a key of its own: spelled around the first event's provider id.
        let redelivery = try state.apply(
            .receipt(project, access, receipt("evt_1N0"), IdempotencyToken(key: "again-evt_1N0", fingerprint: SecretHash(of: "again"))), now: now)
        sent.append(("again-evt_1N0", "evt_1N0", redelivery))
        // Event 1 finishes and leaves (as retention would remove it): its key is forgotten.
        _ = try state.apply(.result(project, access, ResultReport(event: .providerEventID("evt_1N1"), status: .success),
                                    IdempotencyToken(key: "s1", fingerprint: SecretHash(of: "s1"))), now: now)
        let shard = state.projects[project]!
        let gone = shard.events.eventID(provider: .stripe, providerEventID: "evt_1N1")!
        XCTAssertNotNil(shard.events.remove(gone))
        XCTAssertEqual(shard.keyPrefixes.prefixes, ["receipt-", "", "stripe:", "again-"])

        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        for (index, (key, _, _)) in sent.enumerated() {
            let digest = IdempotencyKeyDigest(of: key)
            var pattern = BinaryWriter()
            pattern.write(fixed: digest.high)
            pattern.write(fixed: digest.low)
            let stored = writer.bytes.firstRange(of: pattern.bytes) != nil
            XCTAssertEqual(stored, index % 4 == 2, "key \(key)")
        }
        var reader = BinaryReader(writer.bytes)
        let restored = try ShardState.decodeSnapshot(from: &reader)
        XCTAssertEqual(restored.projects[project]!.keyPrefixes, shard.keyPrefixes)
        var again = BinaryWriter()
        restored.encodeSnapshot(to: &again)
        XCTAssertEqual(again.bytes, writer.bytes)
        for (key, providerEventID, outcome) in sent {
            let replay = try restored.apply(
                .receipt(project, access, receipt(providerEventID), IdempotencyToken(key: key, fingerprint: SecretHash(of: key == "again-evt_1N0" ? "again" : key))),
                now: now)
            guard case .receipt(let first) = outcome, case .receipt(let reply) = replay else { return XCTFail("\(replay)") }
            if providerEventID == "evt_1N1" {
                XCTAssertFalse(reply.replayed, "a new receipt: the key left with its event")
                XCTAssertNotEqual(reply.answer.eventID, first.answer.eventID)
                continue
            }
            XCTAssertEqual(reply.answer, first.answer, key)
            XCTAssertTrue(reply.replayed, key)
        }
    }

    func testKeyPrefixesAreLearntInOrderUpToTheirCapacity() {
        var prefixes = IdempotencyKeyPrefixes()
        XCTAssertEqual(prefixes.index(spelling: "evt_1", around: "evt_1"), 0)
        XCTAssertEqual(prefixes.index(spelling: "r-evt_1", around: "evt_1"), 1)
        XCTAssertEqual(prefixes.index(spelling: "r-evt_2", around: "evt_2"), 1)
        XCTAssertNil(prefixes.index(spelling: "evt_1-r", around: "evt_1"))
        XCTAssertNil(prefixes.index(spelling: "x", around: "evt_1"))
        XCTAssertNil(prefixes.index(spelling: "x", around: ""))
        XCTAssertNil(prefixes.index(spelling: String(repeating: "p", count: IdempotencyKeyPrefixes.longestPrefix + 1) + "evt_1", around: "evt_1"))
        XCTAssertEqual(prefixes.digest(prefix: 1, providerEventID: PackedText("evt_9")), IdempotencyKeyDigest(of: "r-evt_9"))
        for index in 2..<IdempotencyKeyPrefixes.capacity {
            XCTAssertEqual(prefixes.index(spelling: "p\(index):evt_1", around: "evt_1"), UInt8(index))
        }
        XCTAssertNil(prefixes.index(spelling: "full:evt_1", around: "evt_1"))
        XCTAssertEqual(prefixes.index(spelling: "p5:evt_3", around: "evt_3"), 5)
        XCTAssertEqual(prefixes.prefixes.count, IdempotencyKeyPrefixes.capacity)
    }

    /// A shard with one project, `receipts` receipts (a third of them answered by a result),
    /// each with an idempotency key.
    static func shard(receipts: Int) throws -> (ShardState, ProjectID) {
        var now = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)
        let state = ShardState.initial(shard: 0, now: now)
        let project = ProjectID("prj_01B2C1FSV7VME851FG94SCQ3D3")!
        let key = SecretHash(of: "sk_columns")
        _ = try state.apply(
            .createProject(project, ProjectSettings(name: "Columns"), signingSecret: "sps_x", key: NewKey(label: "k", scope: .manage, hash: key)),
            now: now)
        let access = Access.apiKey(project: project, hash: key)
        for index in 0..<receipts {
            now = now.adding(milliseconds: Int64(index % 3))
            let receipt = Receipt(provider: .stripe, providerEventID: "evt_\(index)", eventType: "invoice.paid", effectType: .creditGrant, timeoutSeconds: 600)
            _ = try state.apply(.receipt(project, access, receipt, IdempotencyToken(key: "r\(index)", fingerprint: SecretHash(of: "r\(index)"))), now: now)
            if index % 3 == 0 {
                let report = ResultReport(event: .providerEventID("evt_\(index)"), status: index % 2 == 0 ? .success : .failed)
                _ = try state.apply(.result(project, access, report, IdempotencyToken(key: "s\(index)", fingerprint: SecretHash(of: "s\(index)"))), now: now)
            }
        }
        return (state, project)
    }
}
