/// What a deadline in a shard's ``TimingWheel`` stands for, spelled into the wheel's payload:
/// the project by its shard-local number (``ProjectState/ordinal``) and the receipt's event id
/// or the delivered replay's id. The wheel stores no references, so a deadline costs one slot.
enum ShardDeadline: Equatable {
    /// A pending receipt's result deadline.
    case receipt(project: UInt32, event: EventID)
    /// A delivered replay's result deadline.
    case replay(project: UInt32, replay: ReplayID)

    /// Set in the payload's owner for a replay; project numbers stay below it.
    private static let replayFlag: UInt32 = 1 << 31
    static let projectLimit = Int(replayFlag)

    var payload: TimerPayload {
        switch self {
        case .receipt(let project, let event):
            TimerPayload(owner: project, high: event.high, low: event.low)
        case .replay(let project, let replay):
            TimerPayload(owner: project | Self.replayFlag, high: replay.high, low: replay.low)
        }
    }

    init(_ payload: TimerPayload) {
        let project = payload.owner & ~Self.replayFlag
        if payload.owner & Self.replayFlag == 0 {
            self = .receipt(project: project, event: EventID(high: payload.high, low: payload.low))
        } else {
            self = .replay(project: project, replay: ReplayID(high: payload.high, low: payload.low))
        }
    }
}
