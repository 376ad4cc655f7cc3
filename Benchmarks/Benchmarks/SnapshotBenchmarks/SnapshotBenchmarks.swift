import Benchmark
import Glibc
import SendPromptlyCore
import SendPromptlyStorage

/// A snapshot of one shard holding `pending` receipts waiting for their result: writing it
/// (the shard's state in the snapshot format, then zlib and the file format with its checksum)
/// and restoring it (checksum, zlib, and rebuilding the shard with its timing wheel). The file
/// size is reported as bytes per receipt. No disk I/O is measured: the targets are CPU-bound
/// and `fsync` time belongs to the disk.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .custom("bytes per receipt", polarity: .prefersSmaller)],
        timeUnits: .milliseconds,
        maxDuration: .seconds(10),
        maxIterations: 5
    )
    for pending in [100_000, 1_000_000] {
        Benchmark("snapshot write n=\(pending)", configuration: configuration) { (benchmark: Benchmark, state: ShardFixture) in
            let file = try state.write()
            benchmark.measurement(.custom("bytes per receipt"), file.count / pending)
            blackHole(file)
        } setup: {
            try ShardFixture(pending: pending)
        }
        Benchmark("snapshot restore n=\(pending)", configuration: configuration) { (benchmark: Benchmark, state: SnapshotFixture) in
            benchmark.measurement(.custom("bytes per receipt"), state.file.count / pending)
            let snapshot = try SnapshotFormat.decode(state.file)
            let states = try SnapshotFormat.states(of: snapshot)
            // A server keeps what it restored: freeing a million records is not part of it.
            benchmark.stopMeasurement()
            blackHole(states)
        } setup: {
            let fixture = try ShardFixture(pending: pending)
            return try SnapshotFixture(file: fixture.write())
        }
    }
    // The memory target (10⁶ pending receipts in under 256 MB): what one shard holding them
    // keeps, ids and idempotency records included. One run, no warm-up, so that nothing freed
    // by an earlier iteration is reused and hidden.
    let memory = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .custom("resident bytes per receipt", polarity: .prefersSmaller)],
        timeUnits: .milliseconds, warmupIterations: 0, maxIterations: 1)
    Benchmark("pending receipts in memory n=1000000", configuration: memory) { benchmark in
        let pending = 1_000_000
        let before = residentBytes()
        let fixture = try ShardFixture(pending: pending)
        benchmark.measurement(.custom("resident bytes per receipt"), (residentBytes() - before) / pending)
        blackHole(fixture)
    }
}

/// The process's resident memory (what the operator sees, fragmentation included), from
/// /proc/self/statm: total and resident size, in pages.
func residentBytes() -> Int {
    var text = [UInt8](repeating: 0, count: 128)
    let descriptor = open("/proc/self/statm", O_RDONLY)
    let count = read(descriptor, &text, text.count)
    close(descriptor)
    let fields = text.prefix(max(count, 0)).split(separator: UInt8(ascii: " "))
    let pages = fields.count > 1 ? Int(String(decoding: fields[1], as: UTF8.self)) ?? 0 : 0
    return pages * sysconf(Int32(_SC_PAGESIZE))
}

/// One shard with one project and `pending` receipts that have not reported, each with its
/// idempotency record, as a busy shard holds them: realistic Stripe-like identifiers, a mix of
/// event and effect types, deadlines of 30 minutes.
final class ShardFixture {
    let state: ShardState
    let start = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)

    init(pending: Int) throws {
        state = ShardState.initial(shard: 0, now: start)
        let project = ProjectID("prj_01EX1H0DFEBHAT7QS63V1YZ82E")!
        let key = SecretHash(of: "sk_benchmark")
        _ = try state.apply(
            .createProject(project, ProjectSettings(name: "Benchmark"), signingSecret: "sps_benchmark",
                           key: NewKey(label: "default", scope: .manage, hash: key)),
            now: start)
        let access = Access.apiKey(project: project, hash: key)
        let eventTypes = ["checkout.session.completed", "invoice.paid", "orders/paid"]
        let effects: [EffectType] = [.accessUnlock, .creditGrant, .seatUpdate]
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        for index in 0..<pending {
            let providerEventID = "evt_1" + String((0..<23).map { _ in alphabet.randomElement(using: &random)! })
            let receipt = Receipt(
                provider: .stripe, providerEventID: providerEventID, eventType: eventTypes[index % 3],
                effectType: effects[index % 3], internalReference: "user_\(index % 50_000)", timeoutSeconds: 1800)
            let token = IdempotencyToken(key: "receipt-" + providerEventID, fingerprint: SecretHash(of: providerEventID))
            _ = try state.apply(.receipt(project, access, receipt, token), now: start.adding(milliseconds: Int64(index / 100)))
        }
    }

    func write() throws -> [UInt8] {
        var writer = BinaryWriter(capacity: 1 << 20)
        state.encodeSnapshot(to: &writer)
        return try SnapshotFormat.encode([SnapshotFormat.Section(sequence: 1, state: writer.bytes, stretches: writer.stretches)], createdAt: start)
    }
}

final class SnapshotFixture {
    let file: [UInt8]

    init(file: [UInt8]) {
        self.file = file
    }
}
