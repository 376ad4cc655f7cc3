import Hummingbird
import SendPromptlyCore

/// The model of the Integration Test screen.
struct IntegrationPage {
    struct Command {
        let id: String
        let heading: String
        let explanation: String
        let text: String
    }

    let projectID: String
    let projectName: String
    let baseURL: String
    /// The key just created, shown this once and used in the commands.
    let revealed: RevealedSecret?
    let placeholder: String
    let commands: [Command]
}

/// The model of the checklist frame of the Integration Test screen.
struct ChecklistFrame {
    struct Step {
        let id: String
        let label: String
        let done: Bool
    }

    let steps: [Step]
    /// Reload every few seconds until every step is done.
    let refresh: Bool
}

extension ConsoleRoutes {
    /// The Integration Test screen: curl commands for the project's receipt and results, and
    /// a checklist (in a frame that reloads itself) that turns green as each step shows in the
    /// project's state.
    func addIntegrationRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("/console/projects/:project_id/integration", use: page { call in
            let id = try call.identifier("project_id", ProjectKind.self)
            let (project, inFlight) = try await call.read(id) { state, now throws(EngineError) in
                let reprocessing = try state.incidentListing(
                    IncidentFilter(status: .reprocessing), limit: 1, access: .administrator, project: id, now: now)
                return (try state.project(id: id), reprocessing.incidents.first)
            }
            let (notice, revealed) = call.sessions.takeShownOnce(call.sessionToken, project: id)
            let curl = CurlCommands(baseURL: baseURL(call.request), apiKey: revealed?.value)
            let replay = inFlight?.incident.replays.last(where: \.isActive)
            let replayExplanation = if let inFlight, let replay {
                "What your repair endpoint sends once it has rerun the effect: the result with the callback's replay_id. "
                    + "Filled in with replay \(replay.id) of incident \(inFlight.incident.id), in flight now."
            } else {
                "What your repair endpoint sends once it has rerun the effect: the result with the callback's replay_id. "
                    + "Press Reprocess on an incident first, then use the replay_id of its callback."
            }
            let model = IntegrationPage(
                projectID: id.rawValue, projectName: project.settings.name, baseURL: curl.baseURL, revealed: revealed,
                placeholder: CurlCommands.keyPlaceholder,
                commands: [
                    .init(
                        id: "command-receipt", heading: "1. Send a receipt",
                        explanation: "What your webhook handler sends once it accepted a payment event, before the effect runs.",
                        text: curl.receipt),
                    .init(
                        id: "command-failed", heading: "2. Report a failed result",
                        explanation: "Opens an incident at once and alerts the project's recipients.",
                        text: curl.failedResult),
                    .init(
                        id: "command-replay", heading: "3. Report the result of a replay",
                        explanation: replayExplanation,
                        text: curl.replayResult(
                            providerEventID: inFlight?.event.receipt.providerEventID, replayID: replay?.id.rawValue)),
                    .init(
                        id: "command-success", heading: "The happy path: a success result",
                        explanation: "Instead of step 2, with a new receipt: closes the event, no incident.",
                        text: curl.successResult),
                ])
            return PageRenderer.render(
                "integration", title: "Integration Test: \(project.settings.name)", chrome: call.chrome(.projects, notice: notice),
                page: model)
        })
        router.get("/console/projects/:project_id/integration/checklist", use: page { call in
            let id = try call.identifier("project_id", ProjectKind.self)
            let checklist = try await call.read(id) { state, now throws(EngineError) in
                try state.integrationChecklist(access: .administrator, project: id, now: now)
            }
            let steps: [ChecklistFrame.Step] = [
                .init(id: "check-receipt", label: "Receipt seen", done: checklist.receiptSeen),
                .init(id: "check-failure", label: "Failure seen: a failed result opened an incident", done: checklist.failureSeen),
                .init(id: "check-alert", label: "Alert sent", done: checklist.alertSent),
                .init(id: "check-callback", label: "Repair callback delivered (your endpoint answered 2xx)", done: checklist.callbackDelivered),
                .init(id: "check-resolved", label: "Incident resolved", done: checklist.resolved),
            ]
            return PageRenderer.render(
                "checklist", title: "Integration checklist", chrome: call.chrome(.projects, notice: nil),
                page: ChecklistFrame(steps: steps, refresh: !steps.allSatisfy(\.done)))
        })
    }

    /// The server's address for the commands: `--public-url`, or the host the browser asked.
    private func baseURL(_ request: Request) -> String {
        if let publicURL = settings.publicURL { return publicURL }
        return "http://" + (request.head.authority ?? "127.0.0.1")
    }
}
