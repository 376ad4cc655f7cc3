import LibFuzzerDriver
import Foundation
import Logging
import SendPromptlyCore
import SendPromptlyStorage

/// One input: a journal segment file.
///
/// The segment is read twice in memory: as given, and with every record's checksum made to
/// hold, so that mutations reach the record frames and the commands rather than stopping at the
/// first checksum. Every framed record's command is decoded. Then the resealed segment is put in
/// an empty data directory and recovery runs on it as the server does at start: reading,
/// deciding about a torn tail, replaying the commands into the shards. Recovery must refuse
/// with a reason, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournal(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    readInMemory(bytes)
    let resealed = resealRecords(bytes)
    readInMemory(resealed)
    recover(resealed)
    return 0
}

func readInMemory(_ bytes: [UInt8]) {
    guard let segment = try? JournalFormat.read(bytes) else { return }
    for record in segment.records {
        _ = try? segment.command(of: record)
    }
    if let offset = segment.damageOffset {
        _ = JournalFormat.intactRecordFollows(bytes, damageAt: offset)
    }
}

/// `bytes` with each record's CRC-32 replaced by the one of its payload, walking the frames as
/// the reader does; stops at the first frame that does not fit.
func resealRecords(_ bytes: [UInt8]) -> [UInt8] {
    var bytes = bytes
    var offset = JournalFormat.headerLength
    while offset + 8 <= bytes.count {
        let length = (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        guard length <= bytes.count - offset - 8 else { break }
        var checksum = CRC32.checksum(bytes[(offset + 8)..<(offset + 8 + length)])
        for index in 0..<4 {
            bytes[offset + 4 + index] = UInt8(truncatingIfNeeded: checksum)
            checksum >>= 8
        }
        offset += 8 + length
    }
    return bytes
}

/// A data directory of its own for this process, emptied after each input.
let directory = NSTemporaryDirectory() + "sendpromptly-journal-fuzz-\(getpid())"
/// Creates ``directory`` once and removes it when libFuzzer exits.
let directoryCreated: Void = {
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: directory) }
}()
let segmentPath = directory + "/" + JournalFormat.prefix + "00000000000000000001" + JournalFormat.suffix
let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }

func recover(_ bytes: [UInt8]) {
    _ = directoryCreated
    guard FileManager.default.createFile(atPath: segmentPath, contents: Data(bytes)) else {
        fatalError("cannot write \(segmentPath)")
    }
    _ = try? Recovery.recover(
        directory: directory, shardCount: nil, now: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000), logger: logger)
    unlink(segmentPath)
}

// The executable's entry: libFuzzer's driver, with the command line and the target above.
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzJournal))
