import Foundation

/// The run's progress on stderr while the load runs: a bar redrawn in place five times a
/// second when stderr is a terminal, a plain line every five seconds otherwise (a log, CI).
/// `finish()` ends the display; nothing is written after it returns.
public final class ProgressDisplay: Sendable {
    private let task: Task<Void, Never>

    /// `total` is the event count when the run is bounded by events; `duration` the seconds
    /// when bounded by time (whichever ends it first is shown as the fraction done).
    public init(progress: LoadProgress, total: Int?, duration: Double?, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        let started = ContinuousClock.now
        task = Task {
            var last = (requests: 0, at: started)
            while !Task.isCancelled {
                try? await Task.sleep(for: terminal ? .milliseconds(200) : .seconds(5))
                if Task.isCancelled { break }
                let now = ContinuousClock.now
                let requests = progress.completedRequests.load(ordering: .relaxed)
                let seconds = (now - last.at) / .seconds(1)
                let rate = seconds > 0 ? Double(requests - last.requests) / seconds : 0
                last = (requests, now)
                let events = min(progress.nextEvent.load(ordering: .relaxed), total ?? .max)
                var fraction = total.map { Double(events) / Double(max($0, 1)) } ?? 0
                if let duration { fraction = max(fraction, (now - started) / .seconds(1) / duration) }
                let line = Self.line(
                    fraction: min(fraction, 1), events: events, total: total, rate: rate,
                    errors: progress.errors.load(ordering: .relaxed), bar: terminal)
                FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
            }
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }

    /// Stops redrawing and clears the bar.
    public func finish() async {
        task.cancel()
        await task.value
    }

    static func line(fraction: Double, events: Int, total: Int?, rate: Double, errors: Int, bar: Bool) -> String {
        let percent = Int((fraction * 100).rounded(.down))
        let count = total.map { "\(events)/\($0) events" } ?? "\(events) events"
        let figures = "\(percent)% \(count), \(Int(rate.rounded())) requests/s, \(errors) errors"
        guard bar else { return "bench: " + figures }
        let width = 30
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + figures
    }
}
