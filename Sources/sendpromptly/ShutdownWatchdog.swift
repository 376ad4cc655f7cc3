import Foundation
import UnixSignals

/// Bounds a graceful shutdown. The first SIGTERM or SIGINT starts it (the service group stops
/// accepting, lets requests in flight finish, writes the final snapshot); if the process is
/// still alive `timeout` later, or a second SIGTERM or SIGINT arrives meanwhile, it exits at
/// once with status 1 and a line on stderr, without the final snapshot.
///
/// Exiting at once loses nothing acknowledged with `--durability fsync`: every 2xx was sent
/// after its journal record was `fsync`ed, and the next start replays the journal. (With
/// `batch` or `none` it loses what a `kill -9` would.)
enum ShutdownWatchdog {
    static let exitStatus: Int32 = 1

    /// Watches the signals from now on, for the life of the process.
    static func start(timeout: Duration) {
        Task.detached {
            var deadline: Task<Void, Never>?
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                guard deadline == nil else {
                    exitAtOnce("second \(signal) during shutdown: exiting at once without a final snapshot")
                }
                deadline = Task.detached {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    exitAtOnce("shutdown did not finish within \(timeout) (--shutdown-timeout): exiting without a final snapshot")
                }
            }
        }
    }

    private static func exitAtOnce(_ reason: String) -> Never {
        FileHandle.standardError.write(Data("sendpromptly: \(reason)\n".utf8))
        // _exit: no atexit handlers or buffered output that could block the exit.
        _exit(exitStatus)
    }
}
