import Logging
import ServiceLifecycle

/// Writes a snapshot every `interval` while the server runs. A failed snapshot is logged and
/// tried again at the next interval: the journal still holds everything.
///
/// It stops at graceful shutdown; the final snapshot is the server's to write once requests
/// have stopped.
public struct SnapshotService: Service {
    let writer: SnapshotWriter
    let interval: Duration
    let logger: Logger

    public init(writer: SnapshotWriter, interval: Duration, logger: Logger) {
        self.writer = writer
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    try await writer.write()
                } catch {
                    logger.error("snapshot failed; the journal still holds every record", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
