import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SendPromptlyCore
import XCTest

/// `kill -9` under load, several times over one data directory: whatever a client was told
/// (a 2xx) is there after every restart, exactly once; deadlines that passed while the server
/// was down open their incidents once each.
///
/// The run is random but seeded: the seed is printed, and `DURABILITY_SEED=<n>` repeats it.
final class DurabilityCrashTests: XCTestCase {
    private var root: URL!
    private var dataDirectory: URL { root.appendingPathComponent("data") }

    override func setUp() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-durability-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: What the clients were told

    struct Receipt: Sendable {
        let eventID: String
        let providerEventID: String
        let idempotencyKey: String
        let body: String
        let timeoutAt: Date
        /// A deadline of 1-2 seconds, never given a result: it must time out, once.
        let short: Bool
        let acknowledgedAt: Date
    }

    struct Result: Sendable {
        let idempotencyKey: String
        let body: String
        /// `status` of the 200 answer: `succeeded` or `failed`.
        let status: String
        let incidentID: String?
    }

    /// Every 2xx the clients received, and every answer that no correct server gives.
    final class Ledger: @unchecked Sendable {
        private let lock = NSLock()
        private var receiptsByEvent: [String: Receipt] = [:]
        private var resultsByEvent: [String: Result] = [:]
        private var problems: [String] = []

        func acknowledged(_ receipt: Receipt) {
            lock.withLock {
                if let earlier = receiptsByEvent[receipt.eventID] {
                    problems.append("two receipts answered with one event_id \(receipt.eventID): \(earlier.providerEventID) and \(receipt.providerEventID)")
                }
                receiptsByEvent[receipt.eventID] = receipt
            }
        }

        func acknowledged(_ result: Result, for eventID: String) {
            lock.withLock { resultsByEvent[eventID] = result }
        }

        func problem(_ text: String) {
            lock.withLock { problems.append(text) }
        }

        var receipts: [Receipt] { lock.withLock { receiptsByEvent.values.sorted { $0.eventID < $1.eventID } } }
        var results: [String: Result] { lock.withLock { resultsByEvent } }
        var unexpected: [String] { lock.withLock { problems } }
    }

    // MARK: The test

    func testAcknowledgedWritesSurviveRepeatedKillNineUnderConcurrentLoad() async throws {
        let seed = ProcessInfo.processInfo.environment["DURABILITY_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...999_999)
        print("DurabilityCrashTests seed: \(seed) (DURABILITY_SEED=\(seed) repeats this run)")
        var random = SplitMix64(seed: seed)
        let arguments = ["--durability", "fsync", "--snapshot-interval", "1"]
        let rounds = 5
        let workers = 12
        let requestsPerWorker = 150
        let ledger = Ledger()
        let began = Date()
        // The whole plan comes from the seed up front: when each crash comes and what each
        // client sends. (What the server manages before the crash depends on the machine.)
        let plan = (0..<rounds).map { _ in
            (killAfter: Int.random(in: 700...2_200, using: &random), workerSeeds: (0..<workers).map { _ in random.next() })
        }
        var sampling = SplitMix64(seed: seed ^ 0x5EED)
        func elapsed() -> String { String(format: "%.1f s", Date().timeIntervalSince(began)) }

        let client = Durability.loadClient(connections: workers * 2)
        defer { _ = client.shutdown() }
        let first = try await Durability.start(dataDirectory, arguments)
        var server = first.0
        var url = first.1
        let key = try await Durability.createProject(url, name: "Crash")

        for round in 0..<rounds {
            let (killAfter, workerSeeds) = plan[round]
            print("round \(round) at \(elapsed()): kill -9 after \(killAfter) ms")
            let load = Self.startLoad(
                client: client, url: url, key: key, seed: seed, round: round, requests: requestsPerWorker, seeds: workerSeeds, ledger: ledger)
            // The crash moment: a random instant while the clients are writing (and snapshots
            // are being written every second). This sleep is the trigger, not a wait for a
            // condition.
            try await Task.sleep(for: .milliseconds(killAfter))
            try await Durability.kill(server)
            let killedAt = Date()
            // Every client stops at its first connection error; a hung one fails the test here.
            try await withDeadline(.seconds(60), "the clients of round \(round) to stop") { await load.value }
            print("round \(round) at \(elapsed()): killed; \(ledger.receipts.count) receipts acknowledged so far")

            let verify = try await ServerProcess.run(["snapshot", "verify", dataDirectory.path])
            XCTAssertEqual(verify.status, 0, "round \(round): the directory is recoverable after kill -9:\n\(verify.output)\(verify.errors)")

            if round % 2 == 1, let lastShort = ledger.receipts.filter(\.short).map(\.timeoutAt).max() {
                // Every other round the server stays down until every short deadline so far has
                // passed (a wait for that instant, not for a condition): the restart must open
                // their incidents right after recovery, once each.
                let instant = lastShort.addingTimeInterval(1.2)
                if instant > Date() { try await Task.sleep(for: .milliseconds(Int(instant.timeIntervalSinceNow * 1000) + 1)) }
            }
            let restartedAt = Date()
            let passedWhileDown = ledger.receipts.filter { $0.short && $0.timeoutAt > killedAt && $0.timeoutAt < restartedAt }.count
            do {
                let restarted = try await Durability.start(dataDirectory, arguments)
                server = restarted.0
                url = restarted.1
            } catch {
                let listing = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path).sorted()) ?? []
                XCTFail("round \(round): the server did not come back after kill -9 (seed \(seed)): \(error)\nfiles: \(listing)\nverify:\n\(verify.output)")
                throw error
            }
            XCTAssertFalse(server.standardError.contains("cannot recover"), server.standardError)
            print("round \(round) at \(elapsed()): restarted; \(passedWhileDown) deadlines passed while it was down")
            try await Self.check(url: url, key: key, ledger: ledger, deadlinesPassedBefore: restartedAt, round: round, random: &sampling)
        }

        // Last, every short deadline has passed: each such event timed out, once. The test
        // waits once, for that instant (a deadline, not a condition it could observe).
        let lastDeadline = ledger.receipts.filter(\.short).map(\.timeoutAt).max() ?? Date()
        let waitUntil = lastDeadline.addingTimeInterval(1.5)
        if waitUntil > Date() {
            try await Task.sleep(for: .milliseconds(Int(waitUntil.timeIntervalSinceNow * 1000) + 1))
        }
        try await Self.check(url: url, key: key, ledger: ledger, deadlinesPassedBefore: Date().addingTimeInterval(-1), round: rounds, random: &sampling)

        // And once more through a graceful stop (final snapshot) and start.
        try await Durability.stop(server)
        (server, url) = try await Durability.start(dataDirectory, arguments)
        try await Self.check(url: url, key: key, ledger: ledger, deadlinesPassedBefore: Date().addingTimeInterval(-1), round: rounds + 1, random: &sampling)
        try await Durability.stop(server)

        let receipts = ledger.receipts
        print("DurabilityCrashTests: \(receipts.count) acknowledged receipts (\(receipts.filter(\.short).count) short), \(ledger.results.count) acknowledged results over \(rounds) crashes in \(String(format: "%.1f", Date().timeIntervalSince(began))) s")
        XCTAssertGreaterThan(receipts.count, 0, "the clients got some receipts acknowledged")
        let unexpected = ledger.unexpected
        XCTAssertTrue(unexpected.isEmpty, "seed \(seed): \(unexpected.count) unexpected answers, the first:\n" + unexpected.prefix(20).joined(separator: "\n"))
    }

    /// With `--durability batch` or `none` a 2xx comes before the fsync, so a crash may take
    /// the receipts of its last moments with it, by design. But the directory must recover
    /// after kill -9 all the same, and what was acknowledged well before the crash is there.
    /// (Clients do not wait for fsyncs here, so records keep arriving while a snapshot starts
    /// a new journal segment.)
    func testBatchAndNoFsyncDurabilityLeaveARecoverableDirectoryAfterKillNine() async throws {
        let seed = ProcessInfo.processInfo.environment["DURABILITY_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...999_999)
        print("DurabilityCrashTests seed: \(seed) (DURABILITY_SEED=\(seed) repeats this run)")
        var random = SplitMix64(seed: seed ^ 0xBA7C)
        let workers = 12
        let client = Durability.loadClient(connections: workers * 2)
        defer { _ = client.shutdown() }
        for mode in ["batch", "none"] {
            let directory = root.appendingPathComponent("data-\(mode)")
            let arguments = ["--durability", mode, "--snapshot-interval", "1"]
            let ledger = Ledger()
            var (server, url) = try await Durability.start(directory, arguments)
            let key = try await Durability.createProject(url, name: "Crash \(mode)")
            let killAfter = Int.random(in: 2_200...3_200, using: &random)
            let load = Self.startLoad(
                client: client, url: url, key: key, seed: seed, round: 0, requests: 1_500,
                seeds: (0..<workers).map { _ in random.next() }, ledger: ledger)
            // The crash moment, after two or three snapshots under load: the trigger, not a
            // wait for a condition.
            try await Task.sleep(for: .milliseconds(killAfter))
            try await Durability.kill(server)
            let killedAt = Date()
            try await withDeadline(.seconds(60), "the clients to stop") { await load.value }

            let verify = try await ServerProcess.run(["snapshot", "verify", directory.path])
            XCTAssertEqual(verify.status, 0, "--durability \(mode): the directory is recoverable after kill -9 (seed \(seed)):\n\(verify.output)")
            do {
                (server, url) = try await Durability.start(directory, arguments)
            } catch {
                XCTFail("--durability \(mode): the server did not come back after kill -9 (seed \(seed)): \(error)\nverify:\n\(verify.output)")
                continue
            }
            // Acknowledged two seconds before the crash (the batch interval is 10 ms): there.
            let settled = ledger.receipts.filter { $0.acknowledgedAt < killedAt.addingTimeInterval(-2) }
            var missing: [String] = []
            for receipt in settled.shuffled(using: &random).prefix(300) {
                let event = try await HTTP.send(.GET, "\(url)/api/v1/events/\(receipt.eventID)", bearer: key)
                if event.status != 200 { missing.append(receipt.providerEventID) }
            }
            XCTAssertEqual(missing, [], "--durability \(mode): receipts acknowledged long before the crash are missing (seed \(seed))")
            let unexpected = ledger.unexpected
            XCTAssertTrue(unexpected.isEmpty, "--durability \(mode), seed \(seed): \(unexpected.count) unexpected answers, the first:\n" + unexpected.prefix(20).joined(separator: "\n"))
            print("--durability \(mode): \(ledger.receipts.count) receipts acknowledged, \(settled.count) of them 2 s before the kill")
            try await Durability.stop(server)
        }
    }

    // MARK: Load

    /// Starts one client per seed, all at once.
    private static func startLoad(
        client: HTTPClient, url: String, key: String, seed: UInt64, round: Int, requests: Int, seeds: [UInt64], ledger: Ledger
    ) -> Task<Void, Never> {
        Task { await load(client: client, url: url, key: key, seed: seed, round: round, requests: requests, seeds: seeds, ledger: ledger) }
    }

    private static func load(client: HTTPClient, url: String, key: String, seed: UInt64, round: Int, requests: Int, seeds: [UInt64], ledger: Ledger) async {
        await withTaskGroup(of: Void.self) { group in
            for (worker, workerSeed) in seeds.enumerated() {
                group.addTask {
                    await drive(
                        client: client, url: url, key: key, seed: seed, round: round, worker: worker, requests: requests,
                        random: SplitMix64(seed: workerSeed), ledger: ledger)
                }
            }
        }
    }

    /// One client: receipts (a quarter with a 1-2 s deadline) and, for some of its own long
    /// ones, a result. Stops at the first connection error: the server was killed.
    private static func drive(
        client: HTTPClient, url: String, key: String, seed: UInt64, round: Int, worker: Int, requests: Int, random: SplitMix64, ledger: Ledger
    ) async {
        var random = random
        var open: [String] = []
        for number in 0..<requests {
            do {
                if !open.isEmpty, Int.random(in: 0..<100, using: &random) < 35 {
                    let eventID = open.remove(at: Int.random(in: 0..<open.count, using: &random))
                    let status = Bool.random(using: &random) ? "success" : "failed"
                    let idempotencyKey = "result-\(eventID)"
                    let body = Durability.resultBody(eventID, status)
                    let reply = try await HTTP.send(.POST, "\(url)/api/v1/result", bearer: key, json: body, idempotencyKey: idempotencyKey, client: client, timeout: .seconds(20))
                    guard reply.status == 200 else {
                        ledger.problem("result for \(eventID) answered \(reply.status): \(reply.body)")
                        continue
                    }
                    let answered = reply.body["status"] as? String ?? "?"
                    let incidentID = reply.body["incident_id"] as? String
                    if answered != (status == "success" ? "succeeded" : "failed") || (status == "failed") != (incidentID != nil) {
                        ledger.problem("result \(status) for pending \(eventID) answered \(reply.body)")
                    }
                    ledger.acknowledged(Result(idempotencyKey: idempotencyKey, body: body, status: answered, incidentID: incidentID), for: eventID)
                } else {
                    let short = Int.random(in: 0..<4, using: &random) == 0
                    let providerEventID = "evt_\(seed)_r\(round)_w\(worker)_\(number)"
                    let idempotencyKey = "receipt-\(providerEventID)"
                    let body = Durability.receiptBody(providerEventID, timeoutSeconds: short ? Int.random(in: 1...2, using: &random) : 3600)
                    let reply = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: body, idempotencyKey: idempotencyKey, client: client, timeout: .seconds(20))
                    guard reply.status == 202, let eventID = reply.body["event_id"] as? String,
                          let timeoutAt = (reply.body["timeout_at"] as? String).flatMap(Durability.parseTime)
                    else {
                        ledger.problem("receipt \(providerEventID) answered \(reply.status): \(reply.body)")
                        continue
                    }
                    if reply.body["duplicate"] as? Bool == true || reply.headers.first(name: "Idempotent-Replayed") != nil {
                        ledger.problem("a first receipt \(providerEventID) was answered as a duplicate or replay: \(reply.body)")
                    }
                    ledger.acknowledged(Receipt(
                        eventID: eventID, providerEventID: providerEventID, idempotencyKey: idempotencyKey, body: body,
                        timeoutAt: timeoutAt, short: short, acknowledgedAt: Date()))
                    if !short { open.append(eventID) }
                }
            } catch {
                return
            }
        }
    }

    // MARK: Checks after a restart

    /// Every acknowledged receipt is there in a state that agrees with the acknowledged
    /// results; deadlines due before `deadlinesPassedBefore` (less a second of slack) have
    /// timed out; no event has two incidents; replays and redeliveries answer the original.
    private static func check(
        url: String, key: String, ledger: Ledger, deadlinesPassedBefore: Date, round: Int, random: inout SplitMix64
    ) async throws {
        let receipts = ledger.receipts
        let results = ledger.results
        let due = deadlinesPassedBefore.addingTimeInterval(-1)
        // Each lane reads its share of the events; what is wrong is collected and reported
        // at once (the first few, and how many), so a broken recovery does not print a
        // thousand failures.
        let lanes = 8
        let (expectations, eventProblems) = try await withThrowingTaskGroup(
            of: ([(eventID: String, incidentID: String?, reason: String)], [String]).self
        ) { group in
            for lane in 0..<lanes {
                let mine = receipts.enumerated().filter { $0.offset % lanes == lane }.map(\.element)
                group.addTask {
                    // Events that must have exactly one incident, with its id and reason.
                    var expected: [(eventID: String, incidentID: String?, reason: String)] = []
                    var problems: [String] = []
                    for receipt in mine {
                        let event = try await HTTP.send(.GET, "\(url)/api/v1/events/\(receipt.eventID)", bearer: key)
                        let context = "\(receipt.providerEventID) (\(receipt.eventID))"
                        guard event.status == 200 else {
                            problems.append("\(context): the acknowledged receipt is missing: \(event.status) \(event.body)")
                            continue
                        }
                        if event.body["provider_event_id"] as? String != receipt.providerEventID {
                            problems.append("\(context): answered as \(event.body["provider_event_id"] ?? "nil")")
                        }
                        let state = event.body["state"] as? String ?? "nil"
                        let incidentID = event.body["incident_id"] as? String
                        if let result = results[receipt.eventID] {
                            if result.status == "succeeded", state != "succeeded" {
                                problems.append("\(context): a success result was acknowledged, the event is \(state)")
                            } else if result.status == "failed" {
                                if state != "failed" || incidentID != result.incidentID {
                                    problems.append("\(context): a failed result with incident \(result.incidentID ?? "nil") was acknowledged, the event is \(state) with incident \(incidentID ?? "nil")")
                                }
                                expected.append((receipt.eventID, result.incidentID, "failed"))
                            }
                        } else if receipt.short && receipt.timeoutAt < due {
                            if state != "timed_out" || incidentID == nil {
                                problems.append("\(context): its deadline \(receipt.timeoutAt) passed before \(deadlinesPassedBefore), the event is \(state) with incident \(incidentID ?? "nil")")
                            }
                            expected.append((receipt.eventID, incidentID, "timeout"))
                        }
                    }
                    return (expected, problems)
                }
            }
            var expected: [(eventID: String, incidentID: String?, reason: String)] = []
            var problems: [String] = []
            for try await (laneExpected, laneProblems) in group {
                expected += laneExpected
                problems += laneProblems
            }
            return (expected, problems)
        }
        var problems = eventProblems

        // At most one incident per event; exactly the expected one where one is expected.
        let incidents = try await Durability.allIncidents(url, key: key)
        let byEvent = Dictionary(grouping: incidents) { $0["event_id"] as? String ?? "?" }
        for (eventID, list) in byEvent.sorted(by: { $0.key < $1.key }) where list.count > 1 {
            problems.append("event \(eventID) has \(list.count) incidents: \(list.map { $0["id"] ?? "?" })")
        }
        if Set(incidents.compactMap { $0["id"] as? String }).count != incidents.count {
            problems.append("an incident is listed twice")
        }
        for (eventID, incidentID, reason) in expectations {
            let list = byEvent[eventID] ?? []
            if list.count != 1 {
                problems.append("event \(eventID) has \(list.count) incidents, expected one (\(reason))")
            } else if let incident = list.first,
                      incident["reason"] as? String != reason || incident["id"] as? String != incidentID {
                problems.append("event \(eventID): incident \(incident["id"] ?? "nil") (\(incident["reason"] ?? "nil")), expected \(incidentID ?? "nil") (\(reason))")
            }
        }
        if !problems.isEmpty {
            XCTFail("after restart \(round): \(problems.count) problems in \(receipts.count) acknowledged receipts; the first:\n" + problems.prefix(20).joined(separator: "\n"))
        }

        // A sample of receipts and results sent again: the same key answers the first answer,
        // a new key (a provider redelivery) answers the original event as a duplicate.
        for receipt in receipts.shuffled(using: &random).prefix(10) {
            let context = "after restart \(round): \(receipt.providerEventID)"
            let replay = try await HTTP.send(
                .POST, "\(url)/api/v1/receipt", bearer: key, json: receipt.body, idempotencyKey: receipt.idempotencyKey)
            XCTAssertEqual(replay.status, 202, "\(context): \(replay.body)")
            XCTAssertEqual(replay.body["event_id"] as? String, receipt.eventID, "\(context): the same key answers the same event")
            XCTAssertEqual(replay.headers.first(name: "Idempotent-Replayed"), "true", context)
            let redelivery = try await HTTP.send(
                .POST, "\(url)/api/v1/receipt", bearer: key, json: receipt.body,
                idempotencyKey: "\(receipt.idempotencyKey)-redelivered-\(round)")
            XCTAssertEqual(redelivery.status, 202, "\(context): \(redelivery.body)")
            XCTAssertEqual(redelivery.body["event_id"] as? String, receipt.eventID, "\(context): a redelivery answers the original event")
            XCTAssertEqual(redelivery.body["duplicate"] as? Bool, true, context)
            XCTAssertEqual((redelivery.body["timeout_at"] as? String).flatMap(Durability.parseTime), receipt.timeoutAt, "\(context): the deadline is not extended")
        }
        for (eventID, result) in results.sorted(by: { $0.key < $1.key }).shuffled(using: &random).prefix(5) {
            let replay = try await HTTP.send(.POST, "\(url)/api/v1/result", bearer: key, json: result.body, idempotencyKey: result.idempotencyKey)
            XCTAssertEqual(replay.status, 200, "after restart \(round): result for \(eventID): \(replay.body)")
            XCTAssertEqual(replay.body["status"] as? String, result.status, "after restart \(round): result for \(eventID)")
            XCTAssertEqual(replay.headers.first(name: "Idempotent-Replayed"), "true", "after restart \(round): result for \(eventID)")
        }
    }
}
