@testable import SendPromptlyCore
import XCTest

/// What recovery relies on: a snapshot decodes to the state that encoded it, and applying the
/// journaled commands to a restored state (or to the initial state) reproduces the live state
/// byte for byte, identifiers included.
final class ReplayDeterminismTests: XCTestCase {
    private struct Journaled {
        let command: ShardCommand
        let at: Timestamp
    }

    /// Every event id the last ``drive(seed:steps:snapshotAt:retention:)`` saw issued.
    private var issuedEvents: Set<String> = []

    /// Drives a live shard with a seeded mix of commands and journals what changed it, as the
    /// shard actor does.
    private func drive(
        seed: UInt64, steps: Int, snapshotAt: Int, retention: RetentionPolicy = .standard
    ) throws -> (live: ShardState, journal: [Journaled], snapshot: [UInt8], snapshotIndex: Int) {
        var random = SplitMix64(seed: seed)
        var now = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)
        let live = ShardState.initial(shard: 0, now: now, retention: retention)
        var journal: [Journaled] = []
        var snapshot: [UInt8] = []
        var snapshotIndex = 0
        func run(_ command: ShardCommand) {
            if let outcome = try? live.apply(command, now: now), outcome.changedState {
                journal.append(Journaled(command: command, at: now))
            }
            _ = live.takeEffects()
        }
        let project = ProjectID("prj_01PMXBR6E2CEM493B4GM2SN2EC")!
        let key = SecretHash(of: "sk_replay")
        run(.createProject(project, ProjectSettings(name: "Replay", repairURL: "https://shop.example/repair", alertEmails: ["ops@shop.example"], slackWebhookURL: "https://hooks.slack.com/services/T/B/x"), signingSecret: "sps_x", key: NewKey(label: "k", scope: .manage, hash: key)))
        let access = Access.apiKey(project: project, hash: key)
        var eventIDs: [String] = []
        issuedEvents = []
        for step in 0..<steps {
            if step == snapshotAt {
                var writer = BinaryWriter()
                live.encodeSnapshot(to: &writer)
                snapshot = writer.bytes
                snapshotIndex = journal.count
            }
            now = now.adding(milliseconds: Int64.random(in: 0...800, using: &random))
            switch Int.random(in: 0..<13, using: &random) {
            case 0...3:
                let receipt = Receipt(
                    provider: .stripe, providerEventID: "evt_\(Int.random(in: 0..<400, using: &random))", eventType: "invoice.paid",
                    effectType: .creditGrant, timeoutSeconds: Int64.random(in: 1...20, using: &random))
                let key = "r\(Int.random(in: 0..<600, using: &random))"
                run(.receipt(project, access, receipt, IdempotencyToken(key: key, fingerprint: SecretHash(of: key + receipt.providerEventID))))
                eventIDs = live.projects[project]!.events.inCreationOrder.map(\.id.rawValue)
                issuedEvents.formUnion(eventIDs)
            case 4...6 where !eventIDs.isEmpty:
                let event = eventIDs[Int.random(in: 0..<eventIDs.count, using: &random)]
                let status: ResultStatus = Bool.random(using: &random) ? .success : .failed
                run(.result(project, access, ResultReport(event: .eventID(event), status: status), IdempotencyToken(key: "x\(step)", fingerprint: SecretHash(of: "x\(step)"))))
            case 7:
                let incidents = live.projects[project]!.incidentOrder
                if let incident = incidents.randomElement(using: &random) {
                    run(.resolve(project, access, incident: incident.rawValue, note: "by hand"))
                }
            case 8:
                let incidents = live.projects[project]!.incidentOrder
                if let incident = incidents.randomElement(using: &random) {
                    run(.reprocess(project, access, incident: incident.rawValue))
                }
            case 9:
                run(.reprocessMatching(project, access, ReprocessSelection(since: now.adding(seconds: -30), limit: 3)))
            case 10:
                if let ticket = live.dueDeliveries().sorted(by: { "\($0)" < "\($1)" }).randomElement(using: &random) {
                    let number = live.replayDelivery(for: ticket, now: now)?.attemptNumber ?? live.alertDelivery(for: ticket)!.attemptNumber
                    let dispositions: [DeliveryDisposition] = [.delivered, .retry(at: now.adding(seconds: 5)), .halted, .exhausted]
                    let attempt = DeliveryAttempt(number: number, at: now, statusCode: 500, error: nil)
                    run(.recordDeliveryAttempt(project, DeliveryReport(
                        incidentID: ticket.incidentID, item: ticket.item, attempt: attempt,
                        disposition: dispositions.randomElement(using: &random)!)))
                }
            case 11:
                let replays = live.projects[project]!.incidents.values.flatMap { incident in incident.replays.map { (incident.eventID, $0.id) } }
                if let (event, replay) = replays.randomElement(using: &random) {
                    let status: ResultStatus = Bool.random(using: &random) ? .success : .failed
                    run(.result(project, access, ResultReport(event: .eventID(event.rawValue), status: status, replayID: replay.rawValue), IdempotencyToken(key: "y\(step)", fingerprint: SecretHash(of: "y\(step)"))))
                }
            default:
                run(.advance)
            }
        }
        return (live, journal, snapshot, snapshotIndex)
    }

    /// The snapshot bytes at a common instant (an advance that expires nothing moves the wheel's
    /// time without a journal record), without keys' last-used times (reads and refused
    /// requests update them too, unjournaled: they are approximate after a crash).
    private func bytes(of state: ShardState, at instant: Timestamp) -> [UInt8] {
        state.advance(to: instant)
        _ = state.takeEffects()
        for project in state.projects.values {
            for id in project.keys.keys { project.keys[id]!.lastUsedAt = nil }
        }
        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        return writer.bytes
    }

    func testRestoredSnapshotPlusJournalEqualsTheLiveState() throws {
        try assertRecoveryReproducesTheLiveState(seeds: 1...20, steps: 600, retention: .standard)
    }

    /// The same with a retention of a minute over a run of about seven: finished events and
    /// incidents leave the live shard throughout (the sweep's index is not in the snapshot),
    /// and recovery removes exactly the same ones at the same instants.
    func testRecoveryRemovesWhatTheLiveShardRemovedUnderRetention() throws {
        let policy = RetentionPolicy(retentionSeconds: 60, idempotencyWindowSeconds: 60)
        try assertRecoveryReproducesTheLiveState(seeds: 1...5, steps: 1_000, retention: policy) { live in
            let kept = Set(try XCTUnwrap(live.projects.values.first).events.inCreationOrder.map(\.id.rawValue))
            XCTAssertGreaterThan(issuedEvents.subtracting(kept).count, issuedEvents.count / 3, "retention removed a good share of the events")
        }
    }

    private func assertRecoveryReproducesTheLiveState(
        seeds: ClosedRange<UInt64>, steps: Int, retention: RetentionPolicy, check: (ShardState) throws -> Void = { _ in }
    ) throws {
        for seed in seeds {
            let (live, journal, snapshot, index) = try drive(seed: seed, steps: steps, snapshotAt: steps / 2, retention: retention)
            try check(live)
            var reader = BinaryReader(snapshot)
            let restored = try ShardState.decodeSnapshot(from: &reader)
            restored.retention = retention
            XCTAssertTrue(reader.isAtEnd)
            for entry in journal[index...] {
                XCTAssertNoThrow(try restored.apply(entry.command, now: entry.at), "seed \(seed)")
                _ = restored.takeEffects()
            }
            XCTAssertEqual(bytes(of: restored, at: journal.last!.at.adding(seconds: 60)), bytes(of: live, at: journal.last!.at.adding(seconds: 60)), "seed \(seed): snapshot + journal diverged")

            let replayed = ShardState.initial(shard: 0, now: journal[0].at, retention: retention)
            for entry in journal {
                XCTAssertNoThrow(try replayed.apply(entry.command, now: entry.at), "seed \(seed)")
            }
            XCTAssertEqual(bytes(of: replayed, at: journal.last!.at.adding(seconds: 60)), bytes(of: live, at: journal.last!.at.adding(seconds: 60)), "seed \(seed): journal from the start diverged")
        }
    }

    func testAVersionTwoSnapshotRestoresToTheSameState() throws {
        for seed: UInt64 in 1...5 {
            let (live, journal, _, _) = try drive(seed: seed, steps: 400, snapshotAt: 400)
            var reader = BinaryReader(Self.versionTwoBytes(of: live, keys: Self.idempotencyKeys(in: journal)), formatVersion: 2)
            let restored = try ShardState.decodeSnapshot(from: &reader)
            XCTAssertTrue(reader.isAtEnd)
            let at = live.wheel.currentTime + 1
            XCTAssertEqual(
                bytes(of: restored, at: Timestamp(millisecondsSinceEpoch: at)), bytes(of: live, at: Timestamp(millisecondsSinceEpoch: at)),
                "seed \(seed): a version-2 snapshot restores to the state that wrote it")
        }
    }

    func testAVersionThreeSnapshotRestoresToTheSameState() throws {
        for seed: UInt64 in 1...3 {
            let (live, journal, _, _) = try drive(seed: seed, steps: 400, snapshotAt: 400)
            var reader = BinaryReader(Self.versionThreeBytes(of: live, keys: Self.idempotencyKeys(in: journal)), formatVersion: 3)
            let restored = try ShardState.decodeSnapshot(from: &reader)
            XCTAssertTrue(reader.isAtEnd)
            let at = Timestamp(millisecondsSinceEpoch: live.wheel.currentTime + 1)
            XCTAssertEqual(bytes(of: restored, at: at), bytes(of: live, at: at), "seed \(seed): a version-3 snapshot restores to the state that wrote it")
        }
    }

    /// The keys of the journal's ingest commands by digest: the shard keeps only the digests,
    /// versions 1 to 3 stored the keys themselves.
    private static func idempotencyKeys(in journal: [Journaled]) -> [IdempotencyKeyDigest: String] {
        var keys: [IdempotencyKeyDigest: String] = [:]
        for entry in journal {
            switch entry.command {
            case .receipt(_, _, _, let token), .result(_, _, _, let token): keys[token.keyDigest] = token.key
            default: break
            }
        }
        return keys
    }

    /// A shard as format version 3 wrote it: events as today, idempotency records as columns
    /// with each record's key where version 4 writes its digest.
    private static func versionThreeBytes(of state: ShardState, keys: [IdempotencyKeyDigest: String]) -> [UInt8] {
        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer) { project, writer in
            var events = EventColumns(capacity: project.events.count)
            for event in project.events.inCreationOrder { events.append(event) }
            events.write(to: &writer)
        } records: { project, writer in
            var keyColumn = BinaryWriter(), fingerprintColumn = BinaryWriter(), answerColumn = BinaryWriter()
            var eventIDs = IdentifierDeltas<EventKind>()
            var previousExpiry: Int64 = 0
            for record in project.idempotency.live {
                keyColumn.write(keys[record.keyDigest]!)
                fingerprintColumn.write(fixed: record.fingerprint.words.0)
                fingerprintColumn.write(fixed: record.fingerprint.words.1)
                answerColumn.write(record.expiresAt &- previousExpiry)
                previousExpiry = record.expiresAt
                switch record.answer {
                case .receipt, .duplicateReceipt:
                    let answer = Self.receiptAnswer(of: record, in: project)
                    answerColumn.write(UInt8(0))
                    eventIDs.write(answer.eventID, to: &answerColumn)
                    answerColumn.write(answer.timeoutAt.millisecondsSinceEpoch &- record.expiresAt)
                    answerColumn.write(answer.duplicate)
                case .result(let answer):
                    answerColumn.write(UInt8(1))
                    answerColumn.write(answer)
                }
            }
            writer.write(varint: UInt64(project.idempotency.count))
            for column in [keyColumn, fingerprintColumn, answerColumn] { writer.write(section: column) }
        }
        return writer.bytes
    }

    /// The whole answer of a receipt's record, as older formats wrote it.
    private static func receiptAnswer(of record: IdempotencyRecord, in project: ProjectState) -> ReceiptAccepted {
        switch record.answer {
        case .receipt(let eventID): ReceiptAccepted(eventID: eventID, timeoutAt: project.events.timeoutAt(of: eventID)!, duplicate: false)
        case .duplicateReceipt(let answer): answer
        case .result: preconditionFailure("a result's record")
        }
    }

    /// A shard as format versions 1 and 2 wrote it: record by record, identifiers as text,
    /// idempotency fingerprints of 32 bytes. Written out here because the server writes only
    /// the current version, and older files must stay readable.
    private static func versionTwoBytes(of state: ShardState, keys: [IdempotencyKeyDigest: String]) -> [UInt8] {
        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer) { project, writer in
            writer.write(Array(project.events.inCreationOrder))
        } records: { project, writer in
            writer.write(varint: UInt64(project.idempotency.count))
            for record in project.idempotency.live {
                writer.write(keys[record.keyDigest]!)
                // Version 2 kept whole SHA-256 fingerprints; restoring keeps their first 128 bits.
                writer.write(SecretHash(words: (record.fingerprint.words.0, record.fingerprint.words.1, 0x5EED, 0x5EED)))
                writer.write(record.expiresAt)
                switch record.answer {
                case .receipt, .duplicateReceipt:
                    writer.write(UInt8(0))
                    writer.write(Self.receiptAnswer(of: record, in: project))
                case .result(let answer): writer.write(UInt8(1)); writer.write(answer)
                }
            }
        }
        return writer.bytes
    }

    func testCommandsRoundTripThroughTheirBinaryForm() throws {
        let (_, journal, _, _) = try drive(seed: 99, steps: 300, snapshotAt: 0)
        XCTAssertTrue(journal.contains { if case .recordDeliveryAttempt = $0.command { true } else { false } }, "the mix reaches the replay flow")
        XCTAssertTrue(journal.contains { if case .reprocessMatching = $0.command { true } else { false } })
        for entry in journal {
            var writer = BinaryWriter()
            writer.write(entry.command)
            var reader = BinaryReader(writer.bytes)
            XCTAssertEqual(try reader.read(ShardCommand.self), entry.command)
            XCTAssertTrue(reader.isAtEnd)
        }
        let change = try ProjectSettingsChange(body: Array(#"{"repair_url": null, "alert_emails": ["a@b.co"], "mode": "test"}"#.utf8), allowInsecureURLs: false)
        for command in [
            ShardCommand.updateProject(ProjectID("prj_016HMNAAPF04WVZC3E7QWQRZTF")!, change), .revokeKey(ProjectID("prj_016HMNAAPF04WVZC3E7QWQRZTF")!, KeyID("key_01SS8X39MTKT01JSE382QSR009")!),
            .rotateSigningSecret(ProjectID("prj_016HMNAAPF04WVZC3E7QWQRZTF")!, secret: "sps_new"),
        ] {
            var writer = BinaryWriter()
            writer.write(command)
            var reader = BinaryReader(writer.bytes)
            XCTAssertEqual(try reader.read(ShardCommand.self), command)
        }
    }

    func testTruncatedOrCorruptBytesFailWithAReason() {
        var writer = BinaryWriter()
        writer.write(ShardCommand.receipt(
            ProjectID("prj_016HMNAAPF04WVZC3E7QWQRZTF")!, .administrator,
            Receipt(provider: .shopify, providerEventID: "wh", eventType: "orders/paid", effectType: .seatUpdate),
            IdempotencyToken(key: "k", fingerprint: SecretHash(of: "k"))))
        for length in 0..<writer.bytes.count {
            var reader = BinaryReader(Array(writer.bytes.prefix(length)))
            XCTAssertThrowsError(try reader.read(ShardCommand.self), "prefix \(length)")
        }
        var huge = BinaryReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        XCTAssertThrowsError(try huge.readString(), "a length beyond the data is refused before allocating")
    }
}
