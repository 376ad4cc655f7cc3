/// What the load generator makes of one payment event: a receipt, then a `success` result, a
/// `failed` result, or nothing at all (so that its deadline passes).
public enum EventKind: String, Sendable, CaseIterable, Codable {
    case success
    case fail
    case silent
}

/// The shares of succeeding, failing and silent events, spread evenly over the run.
///
/// The kind of event `i` is a pure function of `i` (smooth weighted round robin over one cycle
/// of `success + fail + silent` events, as nginx balances upstreams), so any prefix of the run
/// holds each kind in its share to within one event, every connection can draw indices from one
/// shared counter, and the verifier knows exactly how many incidents of each reason to expect.
public struct EventMix: Sendable, Equatable {
    public let success: Int
    public let fail: Int
    public let silent: Int
    /// One cycle of kinds; event `i` has kind `cycle[i % cycle.count]`.
    private let cycle: [EventKind]

    /// Fails unless every share is zero or more and at least one is positive.
    public init(success: Int, fail: Int, silent: Int) throws(BenchError) {
        guard success >= 0, fail >= 0, silent >= 0, success + fail + silent > 0 else {
            throw BenchError("--success, --fail and --silent must be whole numbers of zero or more, at least one above zero")
        }
        let divisor = [success, fail, silent].reduce(0, Self.greatestCommonDivisor)
        self.success = success / divisor
        self.fail = fail / divisor
        self.silent = silent / divisor
        cycle = Self.interleave([(EventKind.success, self.success), (.fail, self.fail), (.silent, self.silent)])
    }

    public func kind(ofEvent index: Int) -> EventKind {
        cycle[index % cycle.count]
    }

    /// How many of events `0..<total` are of each kind.
    public func counts(ofFirst total: Int) -> [EventKind: Int] {
        var counts: [EventKind: Int] = [.success: 0, .fail: 0, .silent: 0]
        let whole = total / cycle.count
        for kind in cycle { counts[kind, default: 0] += whole }
        for index in 0..<(total % cycle.count) { counts[cycle[index], default: 0] += 1 }
        return counts
    }

    /// Smooth weighted round robin: each step every kind gains its weight, the richest is
    /// chosen and pays back the total. Over one cycle each kind is chosen exactly `weight`
    /// times, and never in long runs.
    private static func interleave(_ weights: [(EventKind, Int)]) -> [EventKind] {
        let total = weights.reduce(0) { $0 + $1.1 }
        var credit = weights.map { _ in 0 }
        var cycle: [EventKind] = []
        cycle.reserveCapacity(total)
        for _ in 0..<total {
            var best = 0
            for index in weights.indices {
                credit[index] += weights[index].1
                if credit[index] > credit[best] { best = index }
            }
            credit[best] -= total
            cycle.append(weights[best].0)
        }
        return cycle
    }

    private static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        b == 0 ? a : greatestCommonDivisor(b, a % b)
    }
}

/// A reason `sendpromptly bench` cannot go on, in one line for the operator.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
