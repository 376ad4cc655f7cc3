/// The closed vocabularies of the wire contract. Raw values are the wire spellings.

public enum Provider: String, Sendable, CaseIterable {
    case stripe, shopify
}

public enum EffectType: String, Sendable, CaseIterable {
    case accessUnlock = "access_unlock"
    case creditGrant = "credit_grant"
    case seatUpdate = "seat_update"
    case subscriptionStateApply = "subscription_state_apply"
    case accessRevocation = "access_revocation"
    case creditDeduction = "credit_deduction"
}

public enum ProjectMode: String, Sendable, CaseIterable {
    case test, live
}

public enum KeyScope: String, Sendable, CaseIterable {
    /// Receipt, result and reads of its own project.
    case ingest
    /// Also reprocess and resolve.
    case manage
}

public enum EventState: String, Sendable {
    case pending, succeeded, failed
    case timedOut = "timed_out"
}

public enum ResultStatus: String, Sendable, CaseIterable {
    case success, failed
}

public enum IncidentReason: String, Sendable {
    case timeout, failed
}

public enum IncidentStatus: String, Sendable, CaseIterable {
    case open, reprocessing, resolved
}

public enum Resolution: String, Sendable {
    case lateSuccess = "late_success"
    case replaySuccess = "replay_success"
    case manual
}
