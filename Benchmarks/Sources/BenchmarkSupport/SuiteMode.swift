import Benchmark
import Foundation

/// How much of the suite a run covers, chosen by the environment variable
/// `SENDPROMPTLY_BENCHMARKS`.
///
/// Benchmark names have no spaces: package-benchmark 1.38.1 writes a threshold file with the
/// name's spaces turned into underscores but looks it up with the spaces, so a name with a
/// space would never be checked.
///
/// - `full` (unset): every size, 10⁷ pending included, with wall-clock time, throughput and
///   allocations; what README.md's tables come from.
/// - `allocations`: CI's mode. The smallest sizes only, a fixed number of iterations, and only
///   `mallocCountTotal`, which is deterministic for a given build and input: the thresholds in
///   `Benchmarks/Thresholds` are written and checked in this mode, and nothing else is
///   recorded, so that CI never judges a time.
public enum SuiteMode: Sendable {
    case full
    case allocations

    public static let current: SuiteMode =
        ProcessInfo.processInfo.environment["SENDPROMPTLY_BENCHMARKS"] == "allocations" ? .allocations : .full

    /// `sizes` in a full run, `allocations` (a small subset) in CI's.
    public func sizes(_ sizes: [Int], allocations: [Int]) -> [Int] {
        self == .full ? sizes : allocations
    }

    /// `configuration` as a full run uses it, or reduced to CI's allocation check: the same
    /// scaling, only `mallocCountTotal`, and always the same number of iterations, so that
    /// amortised growth (a dictionary doubling) falls into the same iterations every run.
    public func configured(_ configuration: Benchmark.Configuration) -> Benchmark.Configuration {
        guard self == .allocations else { return configuration }
        var reduced = configuration
        reduced.metrics = [.mallocCountTotal]
        reduced.warmupIterations = 1
        reduced.maxIterations = 10
        reduced.maxDuration = .seconds(600)
        // Allocation counts are exact: any rise is a regression.
        reduced.thresholds = [.mallocCountTotal: .init(relative: BenchmarkThresholds.Relative.strict, absolute: BenchmarkThresholds.Absolute.strict)]
        return reduced
    }
}
