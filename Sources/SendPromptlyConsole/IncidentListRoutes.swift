import Foundation
import Hummingbird
import SendPromptlyCore

/// The model of a project's incident list: counts, filters, rows and the bulk reprocess form.
struct IncidentsPage {
    struct Count {
        let label: String
        let count: Int
        let path: String
        let current: Bool
    }

    struct Row {
        let id: String
        let status: String
        let reason: String
        let effectType: String
        let providerEventID: String
        let internalReference: String?
        let openedAt: String?
        let lastError: String?
    }

    let projectID: String
    let projectName: String
    let counts: [Count]
    let statuses: [SelectOption]
    let reasons: [SelectOption]
    let effectTypes: [SelectOption]
    let from: String
    let until: String
    let filterError: String?
    let rows: [Row]
    let hasRows: Bool
    let matching: Int
    /// More incidents match than the page lists.
    let truncated: Bool
    let limit: Int
    let bulkEffectTypes: [SelectOption]
    let bulkSince: String
}

extension ConsoleRoutes {
    /// How many incidents one page lists; the counts above it cover every match.
    static let incidentPageLimit = 200

    /// A project's incidents, open first, with filters by status, reason, effect type and the
    /// time they opened, the counts per status, and the bulk reprocess form.
    func addIncidentListRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("/console/projects/:project_id/incidents", use: page { call in
            let id = try call.identifier("project_id", ProjectKind.self)
            let query = call.request.uri.queryParameters
            var filter = IncidentFilter(
                status: query.get("status").flatMap(IncidentStatus.init(rawValue:)),
                reason: query.get("reason").flatMap(IncidentReason.init(rawValue:)),
                effectType: query.get("effect_type").flatMap(EffectType.init(rawValue:)))
            var filterError: String?
            do throws(EngineError) {
                filter.openedFrom = try ConsoleFormat.parseMinute(query.get("from"))
                filter.openedBefore = try ConsoleFormat.parseMinute(query.get("until"))
            } catch {
                filterError = Self.describe(error) + " The time range is not applied."
                filter.openedFrom = nil
                filter.openedBefore = nil
            }
            let chosen = filter
            let (project, listing, now) = try await call.read(id) { state, now throws(EngineError) in
                (try state.project(id: id),
                 try state.incidentListing(chosen, limit: Self.incidentPageLimit, access: .administrator, project: id, now: now), now)
            }
            let (notice, _) = call.sessions.takeShownOnce(call.sessionToken, project: nil)
            let model = IncidentsPage(
                projectID: id.rawValue, projectName: project.settings.name,
                counts: Self.counts(listing, filter: filter, project: id, query: query),
                statuses: ConsoleFormat.options(IncidentStatus.allCases, selected: filter.status, any: "any status"),
                reasons: ConsoleFormat.options([IncidentReason.timeout, .failed], selected: filter.reason, any: "any reason"),
                effectTypes: ConsoleFormat.options(EffectType.allCases, selected: filter.effectType, any: "any effect type"),
                from: ConsoleFormat.minute(filter.openedFrom) ?? "", until: ConsoleFormat.minute(filter.openedBefore) ?? "",
                filterError: filterError,
                rows: listing.incidents.map(Self.row), hasRows: !listing.incidents.isEmpty, matching: listing.matching,
                truncated: listing.matching > listing.incidents.count, limit: Self.incidentPageLimit,
                bulkEffectTypes: ConsoleFormat.options(EffectType.allCases, selected: nil, any: "every effect type"),
                bulkSince: ConsoleFormat.minute(now.adding(seconds: -24 * 3600)) ?? "")
            return PageRenderer.render(
                "incidents", title: "Incidents of \(project.settings.name)", chrome: call.chrome(.projects, notice: notice), page: model)
        })
        router.post("/console/projects/:project_id/incidents/reprocess", use: action(back: Self.incidentsPath) { call, form in
            let id = try call.identifier("project_id", ProjectKind.self)
            guard let since = try ConsoleFormat.parseMinute(form.trimmed("since")) else {
                throw EngineError.validation(field: "since", message: "choose since when open incidents are reprocessed")
            }
            let until = try ConsoleFormat.parseMinute(form.trimmed("until"))
            if let until, until <= since { throw EngineError.validation(field: "until", message: "until must be later than since") }
            let selection = ReprocessSelection(
                effectType: form.trimmed("effect_type").flatMap(EffectType.init(rawValue:)), since: since, until: until)
            guard case .replays(let replays, let truncated) = try await call.engine.execute(.audited(.reprocessMatching(id, .administrator, selection), by: call.auditActor)) else {
                preconditionFailure("a bulk reprocess answers replays")
            }
            var text = "Reprocess requested for \(replays.count) open incident" + (replays.count == 1 ? "." : "s.")
            if truncated { text += " More matched than \(ReprocessSelection.maximumLimit); send the form again for the rest." }
            return call.redirect("/console/projects/\(id)/incidents", notice: text)
        })
    }

    static func incidentsPath(_ parameters: Parameters) -> String {
        "/console/projects/\(parameters.get("project_id") ?? "")/incidents"
    }

    /// The counts above the list: one per status (each a link that keeps the other filters)
    /// and the total.
    private static func counts(
        _ listing: IncidentListing, filter: IncidentFilter, project: ProjectID, query: Parameters
    ) -> [IncidentsPage.Count] {
        func path(status: IncidentStatus?) -> String {
            var pairs: [String] = status.map { ["status=\($0.rawValue)"] } ?? []
            for name in ["reason", "effect_type", "from", "until"] {
                if let value = query.get(name), !value.isEmpty {
                    pairs.append(name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                }
            }
            return "/console/projects/\(project)/incidents" + (pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&"))
        }
        var counts = IncidentStatus.allCases.map { status in
            IncidentsPage.Count(
                label: status.rawValue, count: listing.counts[status] ?? 0, path: path(status: status), current: filter.status == status)
        }
        counts.append(IncidentsPage.Count(
            label: "all", count: listing.counts.values.reduce(0, +), path: path(status: nil), current: filter.status == nil))
        return counts
    }

    private static func row(_ view: IncidentView) -> IncidentsPage.Row {
        let receipt = view.event.receipt
        return IncidentsPage.Row(
            id: view.incident.id.rawValue, status: view.incident.status.rawValue, reason: view.incident.reason.rawValue,
            effectType: receipt.effectType.rawValue, providerEventID: receipt.providerEventID,
            internalReference: receipt.internalReference, openedAt: ConsoleFormat.time(view.incident.openedAt),
            lastError: IncidentPage.describe(view.incident.lastError))
    }
}
