import Synchronization

/// Counts open connections in total and per client address, and says whether one more may
/// open. Shared by every connection of a server; each admitted connection must be released
/// exactly once. Memory: one entry per address with an open connection, so at most
/// ``HTTPLimits/maximumConnections`` entries.
final class ConnectionCounter: Sendable {
    private struct Counts {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    private let maximumTotal: Int
    private let maximumPerAddress: Int
    private let counts = Mutex(Counts())

    init(maximumTotal: Int, maximumPerAddress: Int) {
        self.maximumTotal = maximumTotal
        self.maximumPerAddress = maximumPerAddress
    }

    /// Counts a connection from `address` in and answers true, or answers false (and counts
    /// nothing) when it would pass either maximum.
    func admit(_ address: String) -> Bool {
        counts.withLock { counts in
            let fromAddress = counts.byAddress[address, default: 0]
            guard counts.total < maximumTotal, fromAddress < maximumPerAddress else { return false }
            counts.total += 1
            counts.byAddress[address] = fromAddress + 1
            return true
        }
    }

    /// Counts an admitted connection from `address` out.
    func release(_ address: String) {
        counts.withLock { counts in
            counts.total -= 1
            let remaining = counts.byAddress[address, default: 1] - 1
            counts.byAddress[address] = remaining > 0 ? remaining : nil
        }
    }

    /// Connections open now, in total.
    var openConnections: Int { counts.withLock { $0.total } }

    /// Addresses with a connection open now: what the count's memory grows with.
    var trackedAddresses: Int { counts.withLock { $0.byAddress.count } }
}
