import LibFuzzerDriver
import Foundation
import SendPromptlyCore
import SendPromptlyStorage

/// One input: a snapshot file as recovery reads it from disk, or (when it does not start with
/// the snapshot magic) one shard's uncompressed section.
///
/// A file is decoded twice: as given (mostly refused by the checksum), and with its last four
/// bytes replaced by the checksum that holds, so that mutations reach the header, the zlib
/// payload and the sections. A section is decoded in every readable format version, as
/// `SnapshotFormat.states` decodes it: most mutations of a file die in zlib, this reaches the
/// engine's value decoders directly. Decoding must refuse with an error, never trap; a state
/// that decodes must then run as the server runs it after recovery: its wheel advanced (timers
/// expire into incidents and alerts) and the next snapshot encoded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshot(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    if bytes.starts(with: SnapshotFormat.magic) {
        decodeFile(bytes)
        if bytes.count >= 4 {
            var resealed = Array(bytes.dropLast(4))
            var checksum = CRC32.checksum(resealed)
            for _ in 0..<4 {
                resealed.append(UInt8(truncatingIfNeeded: checksum))
                checksum >>= 8
            }
            decodeFile(resealed)
        }
    } else {
        for version in SnapshotFormat.readableVersions {
            var reader = BinaryReader(bytes, formatVersion: version)
            if let state = try? ShardState.decodeSnapshot(from: &reader) {
                run(state, section: bytes)
            }
        }
    }
    return 0
}

func decodeFile(_ bytes: [UInt8]) {
    guard let snapshot = try? SnapshotFormat.decode(bytes), let states = try? SnapshotFormat.states(of: snapshot) else { return }
    for (state, section) in zip(states, snapshot.sections) { run(state, section: section.state) }
}

/// Runs a decoded state as the server does after recovery: the expiry driver advances it 1,000
/// ticks past the wheel's time (read from the section's first two fields, the tick and the
/// wheel's time, as `decodeSnapshot` reads them), effects are drained, the next snapshot is
/// encoded.
func run(_ state: ShardState, section: [UInt8]) {
    var reader = BinaryReader(section)
    if let tick = try? reader.readInt64(), let wheelTime = try? reader.readInt64() {
        let (span, spanOverflows) = tick.multipliedReportingOverflow(by: 1_000)
        let (later, laterOverflows) = wheelTime.addingReportingOverflow(span)
        if !spanOverflows, !laterOverflows {
            _ = try? state.apply(.advance, now: Timestamp(millisecondsSinceEpoch: later))
            _ = state.takeEffects()
        }
    }
    var writer = BinaryWriter()
    state.encodeSnapshot(to: &writer)
    _ = state.projectCounts()
}

// The executable's entry: libFuzzer's driver, with the command line and the target above.
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzSnapshot))
