import Histogram

/// The two ingest endpoints the generator drives.
public enum Endpoint: String, Sendable, CaseIterable, Codable {
    case receipt
    case result
}

/// What one connection (or, merged, the whole run) saw: latencies per endpoint in an
/// HdrHistogram, answers by status, and completions per second of the run.
///
/// Each connection records into its own recorder on its own event loop, without locks; the
/// run merges them at the end.
public struct LatencyRecorder: Sendable {
    /// Latencies in nanoseconds, 1 µs to 1 hour, three significant digits (0.1 %).
    public private(set) var histograms: [Endpoint: Histogram<UInt64>]
    /// Answers by HTTP status per endpoint; status 0 counts requests that got no answer (the
    /// connection failed).
    public private(set) var statuses: [Endpoint: [Int: Int]]
    /// Requests completed in each second since `start`.
    public private(set) var completionsPerSecond: [Int]
    public let start: UInt64

    public init(start: UInt64) {
        self.start = start
        var histograms: [Endpoint: Histogram<UInt64>] = [:]
        for endpoint in Endpoint.allCases {
            histograms[endpoint] = Histogram(
                lowestDiscernibleValue: 1_000, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
        }
        self.histograms = histograms
        statuses = [:]
        completionsPerSecond = []
    }

    /// Records one request to `endpoint` intended at `intended` that completed at `completed`
    /// with `status` (0: no answer). Only answered requests count towards latency.
    public mutating func record(_ endpoint: Endpoint, status: Int, intended: UInt64, completed: UInt64) {
        statuses[endpoint, default: [:]][status, default: 0] += 1
        if status != 0 {
            _ = histograms[endpoint]!.record(SendSchedule.latency(intended: intended, completed: completed))
        }
        let second = Int((completed &- start) / 1_000_000_000)
        if completed >= start {
            if second >= completionsPerSecond.count {
                completionsPerSecond.append(contentsOf: repeatElement(0, count: second - completionsPerSecond.count + 1))
            }
            completionsPerSecond[second] += 1
        }
    }

    /// Adds everything `other` recorded (same `start`).
    public mutating func merge(_ other: LatencyRecorder) {
        for (endpoint, histogram) in other.histograms { histograms[endpoint]!.add(histogram) }
        for (endpoint, counts) in other.statuses {
            statuses[endpoint, default: [:]].merge(counts, uniquingKeysWith: +)
        }
        if other.completionsPerSecond.count > completionsPerSecond.count {
            completionsPerSecond.append(
                contentsOf: repeatElement(0, count: other.completionsPerSecond.count - completionsPerSecond.count))
        }
        for (second, count) in other.completionsPerSecond.enumerated() { completionsPerSecond[second] += count }
    }

    /// Requests sent to `endpoint`, answered or not.
    public func requests(_ endpoint: Endpoint) -> Int {
        statuses[endpoint, default: [:]].values.reduce(0, +)
    }
}
