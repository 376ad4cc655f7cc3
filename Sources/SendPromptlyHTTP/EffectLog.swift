import Logging
import ServiceLifecycle
import SendPromptlyCore
import SendPromptlyEngine

/// Writes every incident opened or resolved, every delivery scheduled and every replay ended to the log,
/// one structured line each. It reads the engine's effects until graceful shutdown.
public struct EffectLog: Service {
    let engine: Engine
    let logger: Logger

    public init(engine: Engine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    public func run() async throws {
        let effects = engine.subscribeToEffects()
        await cancelWhenGracefulShutdown {
            for await effect in effects {
                switch effect {
                case .incidentOpened(let view):
                    logger.notice("incident opened", metadata: metadata(view))
                case .incidentResolved(let view):
                    logger.notice("incident resolved", metadata: metadata(view))
                case .deliveryDue(let ticket):
                    logger.info("delivery attempt due", metadata: [
                        "project_id": "\(ticket.projectID)", "incident_id": "\(ticket.incidentID)",
                        "item": "\(ticket.item)", "due_at": "\(RFC3339.format(ticket.dueAt))",
                    ])
                case .replayEnded(let view, let replayID):
                    var fields = metadata(view)
                    fields["replay_id"] = "\(replayID)"
                    logger.notice("replay ended without repair; incident open again", metadata: fields)
                }
            }
        }
    }

    private func metadata(_ view: IncidentView) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "project_id": "\(view.incident.projectID)",
            "incident_id": "\(view.incident.id)",
            "event_id": "\(view.incident.eventID)",
            "reason": "\(view.incident.reason.rawValue)",
            "effect_type": "\(view.event.receipt.effectType.rawValue)",
        ]
        if let resolution = view.incident.resolution { metadata["resolution"] = "\(resolution.rawValue)" }
        return metadata
    }
}
