import ArgumentParser
import Foundation
import Logging
import SendPromptlyCore
import SendPromptlyStorage

/// `sendpromptly snapshot inspect|verify`: read snapshots and journals without a server.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Inspect and verify snapshots and journals without starting a server.",
        subcommands: [Inspect.self, Verify.self]
    )

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a snapshot's header, its counts per shard and per project, and its checksum verdict.")

        @Argument(help: "A snapshot file (snapshot-*.snap).")
        var path: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StartupError("cannot read \(path)")
            }
            print("file: \(path) (\(data.count) bytes)")
            let snapshot: SnapshotFormat.Snapshot
            let states: [ShardState]
            do {
                snapshot = try SnapshotFormat.decode([UInt8](data))
                states = try SnapshotFormat.states(of: snapshot)
            } catch {
                print("checksum: FAILED (\(error))")
                throw ExitCode(1)
            }
            print("checksum: ok")
            print("format: \(String(decoding: SnapshotFormat.magic, as: UTF8.self)) version \(SnapshotFormat.version)")
            print("created: \(RFC3339.format(snapshot.createdAt))")
            let uncompressed = snapshot.sections.reduce(0) { $0 + $1.state.count }
            print("payload: \(snapshot.compressedLength) bytes zlib, \(uncompressed) bytes uncompressed")
            print("shards: \(states.count)")
            for (index, (section, state)) in zip(snapshot.sections, states).enumerated() {
                print("  shard \(index): journal through record \(section.sequence), \(state.pendingReceiptCount) pending receipts")
                for counts in state.projectCounts() {
                    print("    \(counts.project) \(counts.name): \(counts.events) events, \(counts.pending) pending, \(counts.openIncidents) open incidents")
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every snapshot and the journal of a data directory, and whether the server could recover from it.")

        @Argument(help: "A data directory.")
        var directory: String

        func run() async throws {
            var healthy = true
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in files.sorted() where name.hasPrefix(SnapshotFormat.prefix) && name.hasSuffix(SnapshotFormat.suffix) {
                let bytes = [UInt8](FileManager.default.contents(atPath: directory + "/" + name) ?? Data())
                do {
                    let snapshot = try SnapshotFormat.decode(bytes)
                    _ = try SnapshotFormat.states(of: snapshot)
                    print("ok       \(name)")
                } catch {
                    print("DAMAGED  \(name): \(error)")
                }
            }
            let segments = files.sorted().filter { $0.hasPrefix(JournalFormat.prefix) && $0.hasSuffix(JournalFormat.suffix) }
            for name in segments {
                let bytes = [UInt8](FileManager.default.contents(atPath: directory + "/" + name) ?? Data())
                do {
                    let segment = try JournalFormat.read(bytes)
                    if let offset = segment.damageOffset, name != segments.last || JournalFormat.intactRecordFollows(bytes, damageAt: offset) {
                        print("DAMAGED  \(name): \(segment.records.count) records, then \(segment.damage ?? "damage") at byte \(offset), and more data after it")
                    } else if let offset = segment.damageOffset {
                        print("TORN     \(name): \(segment.records.count) records, then \(segment.damage ?? "damage") at byte \(offset)")
                    } else {
                        print("ok       \(name): \(segment.records.count) records from \(segment.firstSequence)")
                    }
                } catch {
                    print("DAMAGED  \(name): \(error)")
                }
            }
            // A dry run of recovery on a copy, so that verifying never changes the directory.
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-verify-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: copy) }
            try FileManager.default.copyItem(at: URL(fileURLWithPath: directory), to: copy)
            var logger = Logger(label: "verify")
            logger.logLevel = .critical
            do {
                let recovered = try Recovery.recover(directory: copy.path, shardCount: nil, now: WallClock.realtime(), logger: logger)
                for note in recovered.notes { print("note     \(note)") }
                print("recoverable: yes (snapshot \(recovered.snapshot ?? "none"), \(recovered.replayedRecords) journal records after it)")
            } catch {
                healthy = false
                print("recoverable: NO (\(error))")
            }
            if !healthy { throw ExitCode(1) }
        }
    }
}
