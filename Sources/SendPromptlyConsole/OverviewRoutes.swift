import Hummingbird
import SendPromptlyCore

/// The model of the overview: per project, the last hour at a glance.
struct OverviewPage {
    struct Card {
        let id: String
        let name: String
        let isTest: Bool
        let openIncidents: Int
        let receiptsPerMinute: String
        let successRate: String
        let p50: String
        let p99: String
        /// Inline SVG built by ``Chart`` (escaped there).
        let receiptsChart: String
        let successChart: String
        let latencyChart: String
    }

    let generatedAt: String?
    let projects: [Card]
    let hasProjects: Bool
}

extension ConsoleRoutes {
    /// The minutes the overview covers.
    static let overviewMinutes = 60

    /// `/console`: every project's receipts per minute, open incidents, success rate and
    /// receipt-to-result times over the last hour, with charts drawn by the server.
    func addOverviewRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("/console", use: page { call in
            let (notice, _) = call.sessions.takeShownOnce(call.sessionToken, project: nil)
            var cards: [OverviewPage.Card] = []
            let now = call.engine.clock.now()
            for project in await call.engine.projects() {
                let id = project.id
                let activity = try await call.read(id) { state, now throws(EngineError) in
                    try state.activity(minutes: Self.overviewMinutes, access: .administrator, project: id, now: now)
                }
                cards.append(Self.card(project, activity))
            }
            return PageRenderer.render(
                "overview", title: "Overview", chrome: call.chrome(.overview, notice: notice),
                page: OverviewPage(generatedAt: ConsoleFormat.time(now), projects: cards, hasProjects: !cards.isEmpty))
        })
    }

    private static func card(_ project: ProjectSummary, _ activity: ProjectActivity) -> OverviewPage.Card {
        let minutes = activity.minutes
        let rate = activity.successRate.map { ConsoleFormat.oneDecimal($0 * 100) + " %" } ?? "–"
        let perMinute = ConsoleFormat.rate(Double(activity.receipts) / Double(max(minutes.count, 1)))
        let p50 = ConsoleFormat.duration(milliseconds: activity.p50Milliseconds)
        let p99 = ConsoleFormat.duration(milliseconds: activity.p99Milliseconds)
        func seconds(_ milliseconds: Int64?) -> Double? { milliseconds.map { Double($0) / 1000 } }
        return OverviewPage.Card(
            id: project.id.rawValue, name: project.settings.name, isTest: project.settings.mode == .test,
            openIncidents: activity.openIncidents, receiptsPerMinute: perMinute, successRate: rate, p50: p50, p99: p99,
            receiptsChart: Chart.bars(
                minutes.map { Double($0.receipts) }, label: "Receipts per minute",
                summary: "\(activity.receipts) in the last hour, \(perMinute) per minute", unit: ""),
            successChart: Chart.lines(
                [("success %", "#17703a", minutes.map { minute in
                    let outcomes = minute.succeeded + minute.failed
                    return outcomes == 0 ? nil : Double(minute.succeeded) * 100 / Double(outcomes)
                })],
                label: "Success rate", summary: "\(rate) of \(activity.succeeded + activity.failed) outcomes", unit: "%",
                minimumScale: 100),
            latencyChart: Chart.lines(
                [("p50", "#1f5fbf", minutes.map { seconds($0.p50Milliseconds) }),
                 ("p99", "#b3261e", minutes.map { seconds($0.p99Milliseconds) })],
                label: "Receipt to result", summary: "p50 \(p50), p99 \(p99)", unit: "s"))
    }
}
