import Foundation
import Hummingbird
import SendPromptlyCore

/// The model of an incident's page: the receipt, the deadline, the timeline, alerts and
/// replays with every attempt, and the Reprocess and Resolve forms.
struct IncidentPage {
    struct Fact {
        let name: String
        let value: String
    }

    struct Entry {
        let at: String?
        let kind: String
        let detail: String
    }

    struct Attempt {
        let number: Int
        let at: String?
        let statusCode: String
        let error: String?
    }

    struct Delivery {
        let name: String
        let queuedAt: String?
        let status: String
        let attempts: [Attempt]
    }

    let projectID: String
    let projectName: String
    let id: String
    let status: String
    let isResolved: Bool
    let isReprocessing: Bool
    let hasRepairURL: Bool
    let receipt: [Fact]
    let incident: [Fact]
    let timeline: [Entry]
    let alerts: [Delivery]
    let hasAlerts: Bool
    let replays: [Delivery]
    let hasReplays: Bool

    /// `code: message` of a reported error; nil when it had neither.
    static func describe(_ error: ReportedError?) -> String? {
        let parts = [error?.code, error?.message].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }

    init(_ view: IncidentView, project: ProjectSummary) {
        let incident = view.incident
        let event = view.event
        let receipt = event.receipt
        projectID = project.id.rawValue
        projectName = project.settings.name
        id = incident.id.rawValue
        status = incident.status.rawValue
        isResolved = incident.status == .resolved
        isReprocessing = incident.status == .reprocessing
        hasRepairURL = project.settings.repairURL != nil
        func facts(_ pairs: [(String, String?)]) -> [Fact] {
            pairs.compactMap { name, value in value.map { Fact(name: name, value: $0) } }
        }
        self.receipt = facts([
            ("Event", event.id.rawValue),
            ("Provider", receipt.provider.rawValue),
            ("Provider event", receipt.providerEventID),
            ("Event type", receipt.eventType),
            ("Effect type", receipt.effectType.rawValue),
            ("Internal reference", receipt.internalReference),
            ("Shop domain", receipt.shopifyShopDomain),
            ("Occurred", ConsoleFormat.time(receipt.occurredAt)),
            ("Accepted", ConsoleFormat.time(event.acceptedAt)),
            ("Deadline", ConsoleFormat.time(event.timeoutAt)),
            ("Result", ConsoleFormat.time(event.resultAt)),
            ("Event state", event.state.rawValue),
        ])
        self.incident = facts([
            ("Status", incident.status.rawValue),
            ("Reason", incident.reason.rawValue),
            ("Opened", ConsoleFormat.time(incident.openedAt)),
            ("Last error", Self.describe(incident.lastError)),
            ("Resolved", ConsoleFormat.time(incident.resolvedAt)),
            ("Resolution", incident.resolution?.rawValue),
            ("Note", incident.resolutionNote),
        ])
        timeline = incident.timeline.map {
            Entry(at: ConsoleFormat.time($0.at), kind: $0.kind.rawValue.replacingOccurrences(of: "_", with: " "), detail: $0.detail)
        }
        func attempts(_ list: [DeliveryAttempt]) -> [Attempt] {
            list.map {
                Attempt(number: $0.number, at: ConsoleFormat.time($0.at), statusCode: $0.statusCode.map(String.init) ?? "none", error: $0.error)
            }
        }
        alerts = incident.alerts.map { alert in
            let to = alert.channel == .email ? "email to " + alert.recipients.joined(separator: ", ") : "Slack"
            return Delivery(
                name: "\(alert.subjectName.replacingOccurrences(of: "_", with: " ")), \(to)", queuedAt: ConsoleFormat.time(alert.queuedAt),
                status: alert.phaseName, attempts: attempts(alert.attempts))
        }
        hasAlerts = !alerts.isEmpty
        replays = incident.replays.reversed().map { replay in
            Delivery(
                name: replay.id.rawValue, queuedAt: ConsoleFormat.time(replay.requestedAt),
                status: replay.phase.name.replacingOccurrences(of: "_", with: " "), attempts: attempts(replay.attempts))
        }
        hasReplays = !replays.isEmpty
    }
}

extension ConsoleRoutes {
    /// An incident's page, and its Reprocess and Resolve actions. While a replay is in flight
    /// (status `reprocessing`) the page reloads itself every 2 seconds.
    func addIncidentRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("/console/projects/:project_id/incidents/:incident_id", use: page { call in
            let id = try call.identifier("project_id", ProjectKind.self)
            let incidentID = try call.identifier("incident_id", IncidentKind.self)
            let (project, view) = try await call.read(id) { state, now throws(EngineError) in
                (try state.project(id: id), try state.incident(incidentID.rawValue, access: .administrator, project: id, now: now))
            }
            let (notice, _) = call.sessions.takeShownOnce(call.sessionToken, project: nil)
            let model = IncidentPage(view, project: project)
            return PageRenderer.render(
                "incident", title: "Incident \(incidentID)",
                chrome: call.chrome(.projects, notice: notice, refreshSeconds: model.isReprocessing ? 2 : nil), page: model)
        })
        router.post("/console/projects/:project_id/incidents/:incident_id/reprocess", use: action(back: Self.incidentPath) { call, _ in
            let id = try call.identifier("project_id", ProjectKind.self)
            let incidentID = try call.identifier("incident_id", IncidentKind.self)
            guard case .replay(_, let replayID) = try await call.engine.execute(
                .audited(.reprocess(id, .administrator, incident: incidentID.rawValue), by: call.auditActor)) else {
                preconditionFailure("a reprocess answers a replay")
            }
            return call.redirect(
                Self.incidentPath(call.parameters),
                notice: "Reprocess requested (replay \(replayID)): the repair endpoint is being called.")
        })
        router.post("/console/projects/:project_id/incidents/:incident_id/resolve", use: action(back: Self.incidentPath) { call, form in
            let id = try call.identifier("project_id", ProjectKind.self)
            let incidentID = try call.identifier("incident_id", IncidentKind.self)
            let body = JSON.object(form.trimmed("note").map { [("note", .string($0))] } ?? []).serialized
            let request = try ResolveRequest(body: Array(body.utf8))
            _ = try await call.engine.execute(
                .audited(.resolve(id, .administrator, incident: incidentID.rawValue, note: request.note), by: call.auditActor))
            return call.redirect(Self.incidentPath(call.parameters), notice: "Incident resolved by hand.")
        })
    }

    static func incidentPath(_ parameters: Parameters) -> String {
        "/console/projects/\(parameters.get("project_id") ?? "")/incidents/\(parameters.get("incident_id") ?? "")"
    }
}
