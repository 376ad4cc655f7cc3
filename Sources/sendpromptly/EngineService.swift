import Foundation
import Logging
import ServiceLifecycle
import SendPromptlyAlerts
import SendPromptlyCore
import SendPromptlyDelivery
import SendPromptlyEngine
import SendPromptlyHTTP
import SendPromptlyRepair
import SendPromptlyStorage

/// The engine's whole life beside the HTTP server: recovery from the data directory, then the
/// expiry driver, the effect log, the repair dispatcher, the notifier and periodic snapshots,
/// and at shutdown (after the deliverers' last attempts are recorded) a final snapshot and the
/// journal closed.
///
/// The HTTP server listens while recovery runs and answers 503 until this service installs the
/// engine and sets readiness. Being listed before the server, it is shut down after the server
/// has stopped and its requests in flight have finished, so no acknowledged record arrives
/// after the journal is closed. A recovery failure ends the service with
/// ``Recovery/Failure``, which stops the server.
struct EngineService: Service {
    let directory: String
    let shardCount: Int
    let durability: Durability
    let batchInterval: Duration
    let snapshotInterval: Duration
    let expiryInterval: Duration
    /// What every project is held to once recovery is done (never during the replay).
    let quota: IngestQuota
    /// How long finished events and idempotency records stay, during the replay too.
    let retention: RetentionPolicy
    let repairChannel: RepairChannel
    let repairPacing: OutboxPacing
    let alertChannel: AlertChannel
    let alertPacing: OutboxPacing
    let slot: EngineSlot
    let readiness: Readiness
    let metrics: ServerMetrics
    let logger: Logger

    func run() async throws {
        let clock = WallClock()
        let recovered = try Recovery.recover(
            directory: directory, shardCount: shardCount, now: clock.now(), retention: retention, logger: logger)
        if let newest = recovered.newestInstant { clock.hold(atLeast: newest) }
        let journal = try JournalWriter(
            directory: directory, shardCount: recovered.states.count, nextSequence: recovered.nextSequence,
            durability: durability, batchInterval: batchInterval, logger: logger,
            syncObserver: { [metrics] in metrics.journalSynced($0) })
        let engine = Engine(states: recovered.states, clock: clock, journal: journal, quota: quota)
        // Deadlines that passed while the server was down open their incidents now, once each.
        await engine.advance()
        let pending = await engine.pendingReceiptCounts().reduce(0, +)
        logger.info("recovered", metadata: [
            "snapshot": "\(recovered.snapshot ?? "none")", "journal_records": "\(recovered.replayedRecords)",
            "pending_receipts": "\(pending)", "shards": "\(recovered.states.count)", "durability": "\(durability.rawValue)",
        ])
        let snapshots = SnapshotWriter(
            directory: directory, engine: engine, journal: journal, logger: logger,
            observer: { [metrics] in metrics.snapshotWritten(duration: $0.duration, bytes: $0.bytes) })
        slot.install(engine)
        readiness.set(true)
        FileHandle.standardOutput.write(Data("sendpromptly ready\n".utf8))

        let dispatcher = OutboxWorker(engine: engine, channel: repairChannel, pacing: repairPacing, logger: logger)
        let notifier = OutboxWorker(engine: engine, channel: alertChannel, pacing: alertPacing, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ExpiryDriver(engine: engine, interval: expiryInterval).run() }
            group.addTask { try await EffectLog(engine: engine, logger: logger).run() }
            group.addTask { try await dispatcher.run() }
            group.addTask { try await notifier.run() }
            group.addTask { try await SnapshotService(writer: snapshots, interval: snapshotInterval, logger: logger).run() }
            try await group.waitForAll()
        }

        readiness.set(false)
        do {
            try await snapshots.write()
        } catch {
            logger.error("final snapshot failed; the journal holds every record", metadata: ["error": "\(error)"])
        }
        journal.close()
        engine.finishEffects()
    }
}
