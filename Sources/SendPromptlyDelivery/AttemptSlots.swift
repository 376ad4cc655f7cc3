/// A counting semaphore for an actor's attempts in flight, used inside the actor: a caller
/// suspends on ``takeOrQueue(_:)`` until it holds a slot, and ``give()`` hands the slot to the
/// longest waiter. Waiters are resumed in order and never dropped, so a cancelled waiter still
/// receives its slot and must give it back.
struct AttemptSlots {
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(count: Int) {
        precondition(count >= 1)
        free = count
    }

    /// Resumes `continuation` at once when a slot is free; otherwise queues it until one is
    /// given back.
    mutating func takeOrQueue(_ continuation: CheckedContinuation<Void, Never>) {
        if free > 0 {
            free -= 1
            continuation.resume()
        } else {
            waiters.append(continuation)
        }
    }

    mutating func give() {
        if waiters.isEmpty {
            free += 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// No slot taken and nobody waiting: the pool can be forgotten.
    func isIdle(capacity: Int) -> Bool { waiters.isEmpty && free == capacity }
}
