import Foundation
import SendPromptlyCore

/// What an alert says, composed from the incident as it is when the alert is sent: a subject
/// and a plain-text and an HTML body for email, and a short line for Slack.
///
/// Every value that comes from a request (provider ids, references, error messages, notes) is
/// escaped for the medium it goes into.
public struct AlertMessage: Sendable {
    public let subject: String
    public let text: String
    public let html: String
    /// Slack `mrkdwn`: `&`, `<` and `>` escaped, the console link in Slack's `<url|label>` form.
    public let slack: String
    /// The incident in the console; nil when the server has no public URL to build it from.
    public let consoleURL: String?

    public init(delivery: AlertDelivery, publicURL: String?) {
        let incident = delivery.view.incident
        let event = delivery.view.event
        let receipt = event.receipt
        let prefix = delivery.mode == .test ? "[TEST] " : ""
        consoleURL = publicURL.map { base in
            "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/console/projects/\(incident.projectID)/incidents/\(incident.id)"
        }
        let headline: String
        var facts: [(String, String)] = []
        switch delivery.alert.subject {
        case .opened:
            headline = "Incident opened: \(receipt.effectType.rawValue) not applied for \(receipt.provider.rawValue) \(receipt.providerEventID)"
            facts.append(("Reason", incident.reason == .failed ? "failed (the effect reported a failure)" : "timeout (no result before the deadline)"))
        case .replayEnded(let replayID):
            headline = "Replay failed: \(receipt.effectType.rawValue) still not applied for \(receipt.provider.rawValue) \(receipt.providerEventID)"
            facts.append(("Replay", "\(replayID): " + Self.describeEnd(of: replayID, in: incident)))
        case .resolved:
            headline = "Incident resolved: \(receipt.effectType.rawValue) for \(receipt.provider.rawValue) \(receipt.providerEventID)"
            var resolution = incident.resolution?.rawValue ?? "resolved"
            if let note = incident.resolutionNote { resolution += " (\(note))" }
            facts.append(("Resolution", resolution))
        }
        facts += [
            ("Project", delivery.projectName),
            ("Effect type", receipt.effectType.rawValue),
            ("Provider event", "\(receipt.provider.rawValue) \(receipt.providerEventID) (\(receipt.eventType))"),
            ("Internal reference", receipt.internalReference ?? "none"),
        ]
        if let error = incident.lastError, error.code != nil || error.message != nil {
            facts.append(("Error", [error.code, error.message].compactMap { $0 }.joined(separator: ": ")))
        }
        facts += [
            ("Deadline", RFC3339.format(event.timeoutAt)),
            ("Opened at", RFC3339.format(incident.openedAt)),
            ("Incident", incident.id.rawValue),
            ("Event", event.id.rawValue),
        ]
        if let consoleURL { facts.append(("Console", consoleURL)) }

        subject = "\(prefix)[SendPromptly] \(headline) (\(delivery.projectName))"
        let width = facts.map(\.0.count).max() ?? 0
        text = "\(prefix)\(headline)\n\n"
            + facts.map { name, value in "\(name):".padding(toLength: width + 2, withPad: " ", startingAt: 0) + value }.joined(separator: "\n")
            + "\n\n-- \nSendPromptly catches payments that were paid but never applied.\n"
        html = """
            <!doctype html><html><body style="font-family: sans-serif">
            <h2>\(HTMLText.escape(prefix + headline))</h2>
            <table cellpadding="4">
            \(facts.map { name, value in
                let shown = name == "Console" ? "<a href=\"\(HTMLText.escape(value))\">Open the incident</a>" : HTMLText.escape(value)
                return "<tr><th align=\"left\">\(HTMLText.escape(name))</th><td>\(shown)</td></tr>"
            }.joined(separator: "\n"))
            </table>
            <p style="color: #666">SendPromptly catches payments that were paid but never applied.</p>
            </body></html>
            """
        var line = "*\(Self.escapeSlack(prefix + headline))* in \(Self.escapeSlack(delivery.projectName))"
        if let error = facts.first(where: { $0.0 == "Error" }) { line += ": \(Self.escapeSlack(error.1))" }
        line += " (`\(incident.id)`)"
        if let consoleURL { line += " <\(consoleURL)|Open in console>" }
        slack = line
    }

    /// How the replay ended, from its phase and last attempt.
    private static func describeEnd(of replayID: ReplayID, in incident: Incident) -> String {
        guard let replay = incident.replays.first(where: { $0.id == replayID }) else { return "ended" }
        let last = replay.attempts.last?.summary ?? ""
        switch replay.phase {
        case .halted: return "halted after attempt \(replay.attempts.count)" + (last.isEmpty ? "" : " (\(last))")
        case .exhausted: return "no attempt of \(replay.attempts.count) was delivered" + (last.isEmpty ? "" : " (last: \(last))")
        case .failed: return "the repair endpoint reported failed"
        case .timedOut: return "delivered, but no result came in time"
        default: return replay.phase.name
        }
    }

    /// Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
    static func escapeSlack(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
