import Foundation
import NIOHTTP1
import XCTest

/// Damaged data directories, as an operator meets them: the server recovers what can be
/// recovered and says which file it passed over, or refuses to start and names the file;
/// it never starts with acknowledged data silently missing.
final class DurabilityDamageTests: XCTestCase {
    private var root: URL!
    private var dataDirectory: URL { root.appendingPathComponent("data") }
    /// No periodic snapshot during a test: the snapshots on disk are the ones of graceful stops.
    private let quiet = ["--snapshot-interval", "3600"]

    override func setUp() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-durability-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: root)
    }

    private func file(_ name: String) -> URL { dataDirectory.appendingPathComponent(name) }

    // MARK: Data

    struct Written {
        let eventID: String
        let providerEventID: String
        let idempotencyKey: String
        let body: String
        /// The state the event is in after what was sent.
        let state: String
    }

    /// Sends `count` receipts one after the other (so the journal holds them in this order);
    /// the first gets a success result and the second a failed one when `results` is set.
    private func write(_ count: Int, _ label: String, url: String, key: String, results: Bool = true) async throws -> [Written] {
        var written: [Written] = []
        for number in 0..<count {
            let providerEventID = "evt_\(label)_\(number)"
            let idempotencyKey = "receipt-\(providerEventID)"
            let body = Durability.receiptBody(providerEventID)
            let reply = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: body, idempotencyKey: idempotencyKey)
            XCTAssertEqual(reply.status, 202, "\(reply.body)")
            let eventID = try XCTUnwrap(reply.body["event_id"] as? String)
            var state = "pending"
            if results && number < 2 {
                let status = number == 0 ? "success" : "failed"
                let result = try await HTTP.send(
                    .POST, "\(url)/api/v1/result", bearer: key, json: Durability.resultBody(eventID, status),
                    idempotencyKey: "result-\(eventID)")
                XCTAssertEqual(result.status, 200, "\(result.body)")
                state = number == 0 ? "succeeded" : "failed"
            }
            written.append(Written(eventID: eventID, providerEventID: providerEventID, idempotencyKey: idempotencyKey, body: body, state: state))
        }
        return written
    }

    /// Every written event is there, in its state; failed ones have their one incident.
    private func assertPresent(_ written: [Written], url: String, key: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        for item in written {
            let event = try await HTTP.send(.GET, "\(url)/api/v1/events/\(item.eventID)", bearer: key)
            XCTAssertEqual(event.status, 200, "\(item.providerEventID) is missing: \(event.body)", file: file, line: line)
            XCTAssertEqual(event.body["provider_event_id"] as? String, item.providerEventID, file: file, line: line)
            XCTAssertEqual(event.body["state"] as? String, item.state, item.providerEventID, file: file, line: line)
        }
        let incidents = try await Durability.allIncidents(url, key: key)
        let failed = Set(written.filter { $0.state == "failed" }.map(\.eventID))
        XCTAssertEqual(Set(incidents.compactMap { $0["event_id"] as? String }), failed, "one incident per failed result", file: file, line: line)
        XCTAssertEqual(incidents.count, failed.count, "no incident twice", file: file, line: line)
    }

    /// Two generations of data, each ended by a graceful stop: two snapshots, and the journal
    /// segments after the older one (which the newer one does not replace).
    private func twoGenerations() async throws -> (key: String, written: [Written], snapshots: [String]) {
        var (server, url) = try await Durability.start(dataDirectory, quiet)
        let key = try await Durability.createProject(url)
        var written = try await write(4, "first", url: url, key: key)
        try await Durability.stop(server)
        (server, url) = try await Durability.start(dataDirectory, quiet)
        written += try await write(4, "second", url: url, key: key)
        try await Durability.stop(server)

        let snapshots = try Durability.snapshots(in: dataDirectory)
        XCTAssertEqual(snapshots.count, 2, "one snapshot per graceful stop: \(snapshots)")
        // The journal still reaches back to the older snapshot: a segment starts where it ends.
        let olderBoundary = snapshots.first.map { String($0.dropFirst("snapshot-".count).dropLast(".snap".count)) } ?? "?"
        let segments = try Durability.segments(in: dataDirectory)
        XCTAssertTrue(segments.contains("journal-\(olderBoundary).log"), "the journal after \(snapshots.first ?? "?") is kept: \(segments)")
        return (key, written, snapshots)
    }

    /// Starts `serve` over the damaged directory and expects it to refuse: a non-zero exit
    /// and, last on stderr, the reason naming `damaged`. Returns stderr.
    private func assertRefusesToStart(naming damaged: String, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let process = try ServerProcess(arguments: [
            "serve", "--port", "0", "--data-dir", dataDirectory.path, "--admin-token", Durability.adminToken, "--log-level", "warning",
        ] + quiet)
        let status: Int32
        do {
            // Recovering a handful of records takes well under a second; a server still up
            // after this long has started over the damage.
            status = try await process.waitForExit(timeout: .seconds(30))
        } catch {
            process.signal(SIGKILL)
            _ = try? await process.waitForExit()
            XCTFail("the server started over damaged data (\(damaged)); stderr: \(process.standardError)", file: file, line: line)
            return process.standardError
        }
        XCTAssertNotEqual(status, 0, file: file, line: line)
        let lines = process.standardError.split(separator: "\n").filter { !$0.isEmpty }
        let reason = String(lines.last ?? "")
        XCTAssertTrue(reason.contains("cannot recover"), "stderr: \(process.standardError)", file: file, line: line)
        XCTAssertTrue(reason.contains(damaged), "the reason names \(damaged): \(reason)", file: file, line: line)
        return process.standardError
    }

    // MARK: (a) a damaged newest snapshot

    func testAFlippedByteInTheNewestSnapshotFallsBackToThePreviousSnapshotAndTheJournal() async throws {
        let (key, written, snapshots) = try await twoGenerations()
        let newest = try XCTUnwrap(snapshots.last)
        try Durability.flipByte(of: file(newest), at: try Durability.size(of: file(newest)) / 2)

        let inspect = try await ServerProcess.run(["snapshot", "inspect", file(newest).path])
        XCTAssertEqual(inspect.status, 1)
        XCTAssertTrue(inspect.output.contains("checksum: FAILED"), inspect.output)
        let verify = try await ServerProcess.run(["snapshot", "verify", dataDirectory.path])
        XCTAssertTrue(verify.output.contains("DAMAGED  \(newest)"), verify.output)
        XCTAssertTrue(verify.output.contains("recoverable: yes"), verify.output)
        XCTAssertEqual(verify.status, 0, "README: verify exits 1 when the directory would not recover; this one does:\n\(verify.output)")

        let (server, url) = try await Durability.start(dataDirectory, quiet)
        try await server.waitForError(containing: newest)
        XCTAssertTrue(server.standardError.contains("damaged"), server.standardError)
        try await assertPresent(written, url: url, key: key)
        try await Durability.stop(server)
    }

    /// A run that journals nothing writes its shutdown snapshot under the newest one's name,
    /// replacing it; the older snapshot is still kept, and so must be the journal after it.
    func testARunThatJournalsNothingKeepsTheFallbackSnapshotsJournal() async throws {
        let (key, written, snapshots) = try await twoGenerations()
        let segmentsBefore = try Durability.segments(in: dataDirectory)
        let (idle, _) = try await Durability.start(dataDirectory, quiet)
        try await Durability.stop(idle)
        XCTAssertEqual(try Durability.snapshots(in: dataDirectory), snapshots, "the idle run's snapshot replaced the newest")
        let segmentsAfter = try Durability.segments(in: dataDirectory)
        XCTAssertTrue(Set(segmentsBefore).isSubset(of: Set(segmentsAfter)), "kept \(segmentsAfter), had \(segmentsBefore)")

        let newest = try XCTUnwrap(snapshots.last)
        try Durability.flipByte(of: file(newest), at: try Durability.size(of: file(newest)) / 2)
        let (server, url) = try await Durability.start(dataDirectory, quiet)
        try await server.waitForError(containing: newest)
        try await assertPresent(written, url: url, key: key)
        try await Durability.stop(server)
    }

    // MARK: (b) a torn last record

    func testATornLastRecordIsCutOffAndEverythingBeforeItRecovered() async throws {
        var (server, url) = try await Durability.start(dataDirectory, quiet)
        let key = try await Durability.createProject(url)
        let written = try await write(6, "torn", url: url, key: key, results: false)
        // Killed: no final snapshot, the receipts are only in the journal.
        try await Durability.kill(server)
        let segment = try XCTUnwrap(try Durability.segments(in: dataDirectory).last)
        try Durability.cutRecords(3, from: file(segment))

        let verify = try await ServerProcess.run(["snapshot", "verify", dataDirectory.path])
        XCTAssertTrue(verify.output.contains("TORN     \(segment)"), verify.output)
        XCTAssertTrue(verify.output.contains("recoverable: yes"), verify.output)
        XCTAssertEqual(verify.status, 0, verify.output)

        (server, url) = try await Durability.start(dataDirectory, quiet)
        let restarted = server
        try await restarted.waitForError(containing: "torn record")
        XCTAssertTrue(server.standardError.contains(segment), server.standardError)
        try await assertPresent(Array(written.dropLast()), url: url, key: key)
        let lost = try XCTUnwrap(written.last)
        let missing = try await HTTP.send(.GET, "\(url)/api/v1/events/\(lost.eventID)", bearer: key)
        XCTAssertEqual(missing.status, 404, "the cut record is gone: \(missing.body)")
        // Its record is gone, idempotency key included: sent again, it is accepted afresh.
        let again = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: lost.body, idempotencyKey: lost.idempotencyKey)
        XCTAssertEqual(again.status, 202, "\(again.body)")
        XCTAssertNil(again.headers.first(name: "Idempotent-Replayed"))
        XCTAssertNil(again.body["duplicate"])

        // The cut-off file continues cleanly: another kill and start recover everything.
        try await Durability.kill(server)
        (server, url) = try await Durability.start(dataDirectory, quiet)
        XCTAssertFalse(server.standardError.contains("torn"), server.standardError)
        try await assertPresent(Array(written.dropLast()), url: url, key: key)
        try await Durability.stop(server)
    }

    // MARK: (c) a deleted newest snapshot

    func testADeletedNewestSnapshotIsReplacedByThePreviousOneAndTheJournal() async throws {
        let (key, written, snapshots) = try await twoGenerations()
        try FileManager.default.removeItem(at: file(try XCTUnwrap(snapshots.last)))

        var (server, url) = try await Durability.start(dataDirectory, quiet)
        try await assertPresent(written, url: url, key: key)
        let more = try await write(2, "third", url: url, key: key, results: false)
        try await Durability.stop(server)

        (server, url) = try await Durability.start(dataDirectory, quiet)
        try await assertPresent(written + more, url: url, key: key)
        try await Durability.stop(server)
    }

    // MARK: (d) damage without a fallback

    /// Both snapshots damaged, and the journal from the first record on long pruned: nothing
    /// consistent is left, and starting empty would lose everything.
    func testDamagedSnapshotsWithoutTheJournalBeforeThemRefuseToStart() async throws {
        let (_, _, snapshots) = try await twoGenerations()
        XCTAssertFalse(
            try Durability.segments(in: dataDirectory).contains("journal-00000000000000000001.log"),
            "precondition: the journal from the first record on was pruned once snapshots covered it")
        for name in snapshots {
            try Durability.flipByte(of: file(name), at: try Durability.size(of: file(name)) / 2)
        }
        let newest = try XCTUnwrap(snapshots.last)
        let damagedBytes = try Data(contentsOf: file(newest))

        _ = try await assertRefusesToStart(naming: newest)
        XCTAssertEqual(try Data(contentsOf: file(newest)), damagedBytes, "a refused start leaves the evidence alone")
        XCTAssertEqual(try Durability.snapshots(in: dataDirectory), snapshots, "a refused start removes nothing")

        let verify = try await ServerProcess.run(["snapshot", "verify", dataDirectory.path])
        XCTAssertEqual(verify.status, 1, verify.output)
        for name in snapshots {
            XCTAssertTrue(verify.output.contains("DAMAGED  \(name)"), verify.output)
        }
        XCTAssertTrue(verify.output.contains("recoverable: NO"), verify.output)
    }

    func testAFlippedByteInsideAnEarlierJournalSegmentRefusesToStart() async throws {
        var (server, url) = try await Durability.start(dataDirectory, quiet)
        let key = try await Durability.createProject(url)
        _ = try await write(4, "early", url: url, key: key, results: false)
        try await Durability.kill(server)
        (server, url) = try await Durability.start(dataDirectory, quiet)
        _ = try await write(4, "late", url: url, key: key, results: false)
        try await Durability.kill(server)

        let segments = try Durability.segments(in: dataDirectory)
        XCTAssertGreaterThanOrEqual(segments.count, 2, "\(segments)")
        let earlier = try XCTUnwrap(segments.first)
        let header = 24
        let size = try Durability.size(of: file(earlier))
        let recordsEnd = try Durability.recordsEnd(of: file(earlier))
        XCTAssertGreaterThan(recordsEnd, header + 100, "the earlier segment holds records")
        try Durability.flipByte(of: file(earlier), at: header + (recordsEnd - header) / 2)

        _ = try await assertRefusesToStart(naming: earlier)
        XCTAssertEqual(try Durability.size(of: file(earlier)), size, "a refused start cuts nothing off")

        let verify = try await ServerProcess.run(["snapshot", "verify", dataDirectory.path])
        XCTAssertEqual(verify.status, 1, verify.output)
        XCTAssertTrue(verify.output.contains("recoverable: NO"), verify.output)
        XCTAssertTrue(
            verify.output.split(separator: "\n").contains { $0.hasPrefix("DAMAGED") && $0.contains(earlier) },
            "verify calls the segment DAMAGED (damage before the end of the journal is not a torn write):\n\(verify.output)")
    }

    /// A record in the middle of the last segment that fails its checksum while whole, valid
    /// records follow it is damage, not a torn write: cutting the segment there would drop
    /// the acknowledged records after it without a word.
    func testAFlippedByteInsideTheLastSegmentWithRecordsAfterItIsNotCutOffAsATornTail() async throws {
        let (server, url) = try await Durability.start(dataDirectory, quiet)
        let key = try await Durability.createProject(url)
        let written = try await write(8, "middle", url: url, key: key, results: false)
        try await Durability.kill(server)
        let segment = try XCTUnwrap(try Durability.segments(in: dataDirectory).last)
        let header = 24
        let size = try Durability.size(of: file(segment))
        try Durability.flipByte(of: file(segment), at: header + (try Durability.recordsEnd(of: file(segment)) - header) / 2)

        let process = try ServerProcess(arguments: [
            "serve", "--port", "0", "--data-dir", dataDirectory.path, "--admin-token", Durability.adminToken, "--log-level", "warning",
        ] + quiet)
        // Ready (it started over the damage) or exited (it refused), whichever comes first.
        let ready = try? await process.waitForLine(containing: "sendpromptly ready", timeout: .seconds(30))
        let serverURL = process.standardOutput.split(separator: "\n").first { $0.contains("listening on ") }.map {
            String($0[$0.range(of: "http://")!.lowerBound...]).trimmingCharacters(in: .whitespaces)
        }
        if ready != nil, let serverURL, process.process.isRunning {
            // It started: then nothing acknowledged may be missing.
            var missing: [String] = []
            for item in written {
                let event = try? await HTTP.send(.GET, "\(serverURL)/api/v1/events/\(item.eventID)", bearer: key)
                if event?.status != 200 { missing.append(item.providerEventID) }
            }
            XCTAssertEqual(missing, [], "the server started after cutting \(segment) at the damaged record, losing acknowledged receipts; stderr: \(process.standardError)")
            process.signal(SIGKILL)
            _ = try await process.waitForExit()
        } else {
            let status = try await process.waitForExit()
            XCTAssertNotEqual(status, 0)
                XCTAssertTrue(process.standardError.contains(segment), process.standardError)
            XCTAssertEqual(try Durability.size(of: file(segment)), size, "a refused start cuts nothing off")
        }
    }

    // MARK: (e) idempotency across kill -9

    func testIdempotencyKeysAndRedeliveriesAnswerTheOriginalAfterKillNine() async throws {
        var (server, url) = try await Durability.start(dataDirectory, quiet)
        let key = try await Durability.createProject(url)
        let body = Durability.receiptBody("evt_idem_1")
        let first = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: body, idempotencyKey: "idem-1")
        XCTAssertEqual(first.status, 202)
        let eventID = try XCTUnwrap(first.body["event_id"] as? String)
        let timeoutAt = try XCTUnwrap(first.body["timeout_at"] as? String)
        let other = try await HTTP.send(
            .POST, "\(url)/api/v1/receipt", bearer: key, json: Durability.receiptBody("evt_idem_2"), idempotencyKey: "idem-2")
        let otherID = try XCTUnwrap(other.body["event_id"] as? String)
        let failed = try await HTTP.send(
            .POST, "\(url)/api/v1/result", bearer: key, json: Durability.resultBody(otherID, "failed"), idempotencyKey: "idem-result-2")
        XCTAssertEqual(failed.status, 200)
        let incidentID = try XCTUnwrap(failed.body["incident_id"] as? String)
        try await Durability.kill(server)

        (server, url) = try await Durability.start(dataDirectory, quiet)
        let replay = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: body, idempotencyKey: "idem-1")
        XCTAssertEqual(replay.status, 202)
        XCTAssertEqual(replay.body["event_id"] as? String, eventID)
        XCTAssertEqual(replay.body["timeout_at"] as? String, timeoutAt)
        XCTAssertEqual(replay.headers.first(name: "Idempotent-Replayed"), "true")
        let reused = try await HTTP.send(
            .POST, "\(url)/api/v1/receipt", bearer: key, json: Durability.receiptBody("evt_idem_other"), idempotencyKey: "idem-1")
        XCTAssertEqual(reused.status, 422)
        XCTAssertEqual((reused.body["error"] as? [String: Any])?["code"] as? String, "idempotency_key_reused")
        let redelivery = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: body, idempotencyKey: "idem-1-redelivery")
        XCTAssertEqual(redelivery.status, 202)
        XCTAssertEqual(redelivery.body["event_id"] as? String, eventID)
        XCTAssertEqual(redelivery.body["duplicate"] as? Bool, true)
        XCTAssertNil(redelivery.headers.first(name: "Idempotent-Replayed"))
        let resultReplay = try await HTTP.send(
            .POST, "\(url)/api/v1/result", bearer: key, json: Durability.resultBody(otherID, "failed"), idempotencyKey: "idem-result-2")
        XCTAssertEqual(resultReplay.status, 200)
        XCTAssertEqual(resultReplay.body["incident_id"] as? String, incidentID)
        XCTAssertEqual(resultReplay.headers.first(name: "Idempotent-Replayed"), "true")
        try await Durability.kill(server)

        // The redelivery's key was acknowledged too, so it replays after the next crash.
        (server, url) = try await Durability.start(dataDirectory, quiet)
        let redeliveryReplay = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: body, idempotencyKey: "idem-1-redelivery")
        XCTAssertEqual(redeliveryReplay.status, 202)
        XCTAssertEqual(redeliveryReplay.body["event_id"] as? String, eventID)
        XCTAssertEqual(redeliveryReplay.body["duplicate"] as? Bool, true)
        XCTAssertEqual(redeliveryReplay.headers.first(name: "Idempotent-Replayed"), "true")
        let incidents = try await Durability.allIncidents(url, key: key)
        XCTAssertEqual(incidents.compactMap { $0["id"] as? String }, [incidentID], "one incident, opened once")
        try await Durability.stop(server)
    }
}
