import Foundation

extension Process {
    /// Starts the process with no signal blocked, as a shell does. A child inherits the signal
    /// mask of the thread that spawns it, and the threads of Swift concurrency block most
    /// signals: a server started from one would otherwise ignore SIGTERM.
    public func runWithNoSignalsBlocked() throws {
        var unblocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&unblocked)
        pthread_sigmask(SIG_SETMASK, &unblocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try run()
    }
}
