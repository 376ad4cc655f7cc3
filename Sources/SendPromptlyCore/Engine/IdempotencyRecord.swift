/// The first answer to an `Idempotency-Key`, kept for ``IdempotencyToken/retentionSeconds``.
/// It is its own timer in the shard's wheel, so forgetting it costs no search.
final class IdempotencyRecord: TimerEntry {
    enum Answer {
        case receipt(ReceiptAccepted)
        case result(ResultApplied)
    }

    let projectID: ProjectID
    let key: String
    let fingerprint: SecretHash
    let answer: Answer
    /// Set when the record expires and leaves its project's table: the order of records keeps
    /// it until its turn to leave comes, and skips it by this flag rather than a lookup by key.
    var isForgotten = false

    init(projectID: ProjectID, token: IdempotencyToken, answer: Answer, expiresAt: Timestamp) {
        self.projectID = projectID
        self.key = token.key
        self.fingerprint = token.fingerprint
        self.answer = answer
        super.init(deadline: expiresAt.millisecondsSinceEpoch)
    }
}
