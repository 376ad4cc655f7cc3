import Hummingbird
import SendPromptlyCore

/// The pages that only say something: not found, refused, starting up; and how a refusal of the
/// engine reads on a page.
extension ConsoleRoutes {
    /// A refusal of the engine as one sentence for the notice.
    static func describe(_ error: EngineError) -> String {
        switch error {
        case .validation(_, let message), .conflict(let message), .notFound(let message), .forbidden(let message),
             .invalidJSON(let message), .rateLimited(_, let message):
            message.prefix(1).uppercased() + message.dropFirst() + "."
        case .tooManyFields, .idempotencyKeyReused, .unauthorized:
            "The request was refused."
        }
    }

    func notFound(_ call: ConsoleCall) -> Response {
        PageRenderer.render(
            "message", title: "Not found", chrome: call.chrome(.projects, notice: nil),
            page: MessagePage(heading: "Not found", text: "There is no such page, project or incident.", linkPath: "/console/projects", linkLabel: "All projects"),
            status: .notFound)
    }

    /// What the operator sees when an action failed for a reason that is not theirs (the
    /// journal could not be written): nothing was acknowledged, and the log has the cause.
    func internalError(_ call: ConsoleCall) -> Response {
        PageRenderer.render(
            "message", title: "Something went wrong", chrome: call.chrome(.projects, notice: nil),
            page: MessagePage(
                heading: "Something went wrong",
                text: "The server could not complete this request, and nothing of it was applied. The server log has the details.",
                linkPath: "/console", linkLabel: "Back to the console"),
            status: .internalServerError)
    }

    static func forbidden(chrome: Chrome) -> Response {
        PageRenderer.render(
            "message", title: "Refused", chrome: chrome,
            page: MessagePage(
                heading: "Refused", text: "The form was not sent from this console (its security token is missing or wrong), so nothing was done.",
                linkPath: "/console", linkLabel: "Back to the console"),
            status: .forbidden)
    }

    static func unavailable() -> Response {
        var response = PageRenderer.render(
            "message", title: "Starting up",
            chrome: Chrome(signedIn: false, csrf: nil, notice: nil, refreshSeconds: 2, isOverview: false, isProjects: false),
            page: MessagePage(
                heading: "Starting up", text: "The server is recovering its state or shutting down; this page reloads by itself.",
                linkPath: "/console", linkLabel: "Reload"),
            status: .serviceUnavailable)
        response.headers[.retryAfter] = "2"
        return response
    }
}

/// The model of the `message` page.
struct MessagePage {
    let heading: String
    let text: String
    let linkPath: String
    let linkLabel: String
}
