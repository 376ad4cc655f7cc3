@testable import SendPromptlyCore
import XCTest

/// The audit trail in the shard state: what each operator action records, that the journal
/// record of an audited command replays it exactly, that snapshots keep it (and older
/// snapshots without it still decode), and its bound.
final class AuditTrailTests: XCTestCase {
    private let start = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)
    private let project = ProjectID("prj_01ZK0B7V5W5Y1R7DGNXN1XHBDE")!
    private let keyHash = SecretHash(of: "sk_audit")

    private func createProject(_ state: ShardState, by actor: AuditActor = .adminToken) throws {
        _ = try state.apply(.audited(.createProject(
            project, ProjectSettings(name: "Audit"), signingSecret: "sps_a",
            key: NewKey(label: "default", scope: .manage, hash: keyHash)), by: actor), now: start)
    }

    private func roundTrip(_ command: ShardCommand) throws -> ShardCommand {
        var writer = BinaryWriter()
        command.encode(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let decoded = try ShardCommand(from: &reader)
        XCTAssertTrue(reader.isAtEnd)
        return decoded
    }

    func testEachOperatorActionRecordsWhoWhatAndWhenAndReplaysFromItsJournalRecord() throws {
        let live = ShardState.initial(shard: 0, now: start)
        let replayed = ShardState.initial(shard: 0, now: start)
        var later = start
        func run(_ command: ShardCommand) throws {
            later = later.adding(milliseconds: 1000)
            _ = try live.apply(command, now: later)
            // What the journal keeps is the encoded command: replay that.
            _ = try replayed.apply(try roundTrip(command), now: later)
        }
        try run(.audited(.createProject(
            project, ProjectSettings(name: "Audit"), signingSecret: "sps_a",
            key: NewKey(label: "default", scope: .manage, hash: keyHash)), by: .adminToken))
        var change = ProjectSettingsChange()
        change.slackWebhookURL = .some("https://hooks.slack.com/services/T/B/SECRETPART")
        change.name = "Audit 2"
        try run(.audited(.updateProject(project, change), by: .consoleSession("0123456789ab")))
        try run(.audited(.rotateSigningSecret(project, secret: "sps_b"), by: .adminToken))
        let access = Access.apiKey(project: project, hash: keyHash)
        let receipt = Receipt(provider: .stripe, providerEventID: "evt_1", eventType: "invoice.paid", effectType: .creditGrant, timeoutSeconds: 60)
        try run(.receipt(project, access, receipt, IdempotencyToken(key: "r1", fingerprint: SecretHash(of: "r1"))))
        let eventID = try XCTUnwrap(live.projects[project]?.events.inCreationOrder.first?.id)
        try run(.result(project, access, ResultReport(event: .eventID(eventID.rawValue), status: .failed), IdempotencyToken(key: "r2", fingerprint: SecretHash(of: "r2"))))
        let incident = try XCTUnwrap(live.projects[project]?.incidentOrder.first)
        try run(.audited(.resolve(project, access, incident: incident.rawValue, note: "by hand"), by: .commandKey))

        let keyID = try XCTUnwrap(live.projects[project]?.keyIDsByHash[keyHash])
        let entries = live.auditEntries()
        XCTAssertEqual(entries.map(\.action), ["project.create", "project.update", "signing_secret.rotate", "incident.resolve"])
        XCTAssertEqual(entries.map(\.actor), [.adminToken, .consoleSession("0123456789ab"), .adminToken, .apiKey(keyID)])
        XCTAssertEqual(entries.map(\.at.millisecondsSinceEpoch), [1, 2, 3, 6].map { start.millisecondsSinceEpoch + $0 * 1000 })
        XCTAssertEqual(entries[1].detail, "name, slack_webhook_url")
        XCTAssertEqual(entries[3].target, incident.rawValue)
        XCTAssertFalse("\(entries)".contains("SECRETPART") || "\(entries)".contains("sps_b"), "no values, no secrets")
        XCTAssertEqual(replayed.auditEntries(), entries, "the journal record replays the entry")
    }

    func testARefusedActionRecordsNothing() throws {
        let state = ShardState.initial(shard: 0, now: start)
        try createProject(state)
        XCTAssertThrowsError(try state.apply(.audited(.revokeKey(project, KeyID("key_01G4Z50V5M29PF1240NP7EWRDM")!), by: .adminToken), now: start))
        XCTAssertEqual(state.auditEntries().map(\.action), ["project.create"])
    }

    func testSnapshotsKeepTheTrailAndSnapshotsWrittenBeforeItStillDecode() throws {
        let state = ShardState.initial(shard: 0, now: start)
        try createProject(state, by: .consoleSession("abcdefabcdef"))
        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let restored = try ShardState.decodeSnapshot(from: &reader)
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertEqual(restored.auditEntries(), state.auditEntries())

        // A snapshot from before the trail ends where the trail now begins.
        var trail = BinaryWriter()
        state.encodeAuditLog(to: &trail)
        var older = BinaryReader(Array(writer.bytes.dropLast(trail.bytes.count)))
        let fromOlder = try ShardState.decodeSnapshot(from: &older)
        XCTAssertTrue(older.isAtEnd)
        XCTAssertEqual(fromOlder.auditEntries(), [])
        XCTAssertEqual(fromOlder.projectCounts().map(\.project), [project])
    }

    func testTheTrailKeepsTheNewestEntriesUpToItsCapacity() throws {
        let state = ShardState.initial(shard: 0, now: start)
        try createProject(state)
        for index in 0..<(ShardState.auditCapacity + 5) {
            _ = try state.apply(.audited(.rotateSigningSecret(project, secret: "sps_\(index)"), by: .adminToken), now: start.adding(milliseconds: Int64(index)))
        }
        let entries = state.auditEntries()
        XCTAssertEqual(entries.count, ShardState.auditCapacity)
        XCTAssertEqual(entries.first?.at, start.adding(milliseconds: 5), "the oldest went first")
        XCTAssertEqual(entries.last?.at, start.adding(milliseconds: Int64(ShardState.auditCapacity + 4)))
    }
}
