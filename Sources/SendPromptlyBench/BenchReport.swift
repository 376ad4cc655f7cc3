import Foundation
import Histogram

/// Everything a run measured and verified: the JSON written by `--report` (keys in
/// snake_case), and the source of the printed table and the SVG chart.
public struct BenchReport: Encodable, Sendable, Equatable {
    public struct Configuration: Codable, Sendable, Equatable {
        /// `closed-loop` or `fixed-rate`.
        public var mode: String
        public var connections: Int
        /// Requests per second asked for, in fixed-rate mode.
        public var rate: Double?
        public var events: Int?
        public var durationSeconds: Double?
        public var success: Int
        public var fail: Int
        public var silent: Int
        public var silentTimeoutSeconds: Int
        /// The server's base URL, and whether this run started it.
        public var server: String
        public var serverStartedByBench: Bool
    }

    /// Latency of one endpoint in milliseconds.
    public struct Latency: Codable, Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p99_9: Double
        public var max: Double
        public var mean: Double
        /// (percentile, milliseconds) from 0 to the largest recorded value, spaced evenly in
        /// "nines" (the chart's axis).
        public var curve: [[Double]]
    }

    public struct EndpointFigures: Codable, Sendable, Equatable {
        public var requests: Int
        public var throughputPerSecond: Double
        /// Answers by HTTP status; "none" counts requests that got no answer.
        public var statuses: [String: Int]
        /// From the intended send time (corrected for coordinated omission) in fixed-rate mode,
        /// from the actual send time in a closed loop.
        public var latency: Latency
    }

    public var configuration: Configuration
    public var elapsedSeconds: Double
    public var requests: Int
    public var throughputPerSecond: Double
    public var eventsStarted: Int
    public var endpoints: [String: EndpointFigures]
    /// Requests completed in each second of the run.
    public var throughputOverTime: [Int]
    /// CPU seconds of the generator and (when it started it) the server during the load.
    public var clientCPUSeconds: Double
    public var serverCPUSeconds: Double?
    public var connectionFailures: [String]
    public var verification: Verification?
    /// `verification.passed`, spelled out for readers of the JSON; nil when not verified.
    public var verificationPassed: Bool?
    /// From the end of the load to the verdict, the wait for the silent deadlines included.
    public var verificationSeconds: Double?

    /// Answers other than 2xx, and requests without any, over both endpoints.
    public var errors: Int {
        endpoints.values.reduce(0) { total, figures in
            total + figures.statuses.filter { !$0.key.hasPrefix("2") }.values.reduce(0, +)
        }
    }

    public init(
        configuration: Configuration, load: LoadOutcome, clientCPUSeconds: Double, serverCPUSeconds: Double?,
        verification: Verification?, verificationSeconds: Double? = nil
    ) {
        self.configuration = configuration
        elapsedSeconds = Double(load.elapsedNanoseconds) / 1e9
        let recorder = load.recorder
        requests = Endpoint.allCases.reduce(0) { $0 + recorder.requests($1) }
        throughputPerSecond = elapsedSeconds > 0 ? Double(requests) / elapsedSeconds : 0
        eventsStarted = load.outcomes.count
        var endpoints: [String: EndpointFigures] = [:]
        for endpoint in Endpoint.allCases {
            let histogram = recorder.histograms[endpoint]!
            let count = recorder.requests(endpoint)
            var statuses: [String: Int] = [:]
            for (status, answers) in recorder.statuses[endpoint] ?? [:] { statuses[status == 0 ? "none" : String(status)] = answers }
            endpoints[endpoint.rawValue] = EndpointFigures(
                requests: count, throughputPerSecond: elapsedSeconds > 0 ? Double(count) / elapsedSeconds : 0,
                statuses: statuses, latency: Self.latency(histogram))
        }
        self.endpoints = endpoints
        throughputOverTime = recorder.completionsPerSecond
        self.clientCPUSeconds = clientCPUSeconds
        self.serverCPUSeconds = serverCPUSeconds
        connectionFailures = load.connectionFailures
        self.verification = verification
        verificationPassed = verification?.passed
        self.verificationSeconds = verificationSeconds
    }

    /// Percentiles of `histogram` (nanoseconds) in milliseconds.
    static func latency(_ histogram: Histogram<UInt64>) -> Latency {
        func milliseconds(_ percentile: Double) -> Double {
            histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1e6
        }
        // Points every tenth of a "nine" up to the resolution of the sample count.
        var curve: [[Double]] = []
        if histogram.totalCount > 0 {
            let nines = log10(Double(histogram.totalCount))
            for step in stride(from: 0.0, through: nines, by: 0.1) {
                let percentile = 100 * (1 - pow(10, -step))
                curve.append([percentile, milliseconds(percentile)])
            }
            curve.append([100, Double(histogram.max) / 1e6])
        }
        return Latency(
            p50: milliseconds(50), p90: milliseconds(90), p99: milliseconds(99), p99_9: milliseconds(99.9),
            max: Double(histogram.totalCount == 0 ? 0 : histogram.max) / 1e6, mean: histogram.totalCount == 0 ? 0 : histogram.mean / 1e6,
            curve: curve)
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
