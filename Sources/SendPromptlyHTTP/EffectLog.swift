import Logging
import ServiceLifecycle
import SendPromptlyCore
import SendPromptlyEngine

/// Writes every incident opened or resolved to the log, one structured line each. It reads the
/// engine's effect stream until graceful shutdown.
public struct EffectLog: Service {
    let engine: Engine
    let logger: Logger

    public init(engine: Engine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await effect in engine.effects {
                switch effect {
                case .incidentOpened(let view):
                    logger.notice("incident opened", metadata: metadata(view))
                case .incidentResolved(let view):
                    logger.notice("incident resolved", metadata: metadata(view))
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
