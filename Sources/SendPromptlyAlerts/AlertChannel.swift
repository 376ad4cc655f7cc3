import AsyncHTTPClient
import Foundation
import SendPromptlyCore
import SendPromptlyDelivery
import SendPromptlyEngine
import SendPromptlyMail

/// Alerts as an outbox channel (the notifier): email over SMTP to the recipients the alert
/// was queued with, or a message to the project's Slack incoming webhook.
///
/// Email: a 4xx reply or a connection failure is retried, a 5xx (or a TLS or configuration
/// failure) is given up at once; recipients refused while others were accepted are noted on
/// the timeline. Every attempt of one alert carries the same `Message-ID`, so a mail reader
/// shows a message that arrived twice (at-least-once delivery) once. Slack: the HTTP rules of
/// the repair callbacks (2xx sent; 408, 429 and 5xx retried; others given up).
public struct AlertChannel: DeliveryChannel {
    private let mailer: SMTPClient?
    private let mailFrom: MailAddress
    private let http: HTTPClient
    private let settings: AlertSettings

    /// - Throws: when the mail server's TLS settings (a CA file) cannot be loaded, or
    ///   `--mail-from` is not an address.
    public init(settings: AlertSettings, http: HTTPClient) throws {
        self.settings = settings
        self.http = http
        self.mailer = try settings.mailServer.map { try SMTPClient(configuration: $0) }
        self.mailFrom = try Self.parseAddress(settings.mailFrom)
    }

    /// `Name <address>` or a bare address.
    static func parseAddress(_ text: String) throws -> MailAddress {
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
            let name = text[..<open].trimmingCharacters(in: .whitespaces)
            return try MailAddress(String(text[text.index(after: open)..<text.index(before: text.endIndex)]), displayName: name.isEmpty ? nil : name)
        }
        return try MailAddress(text)
    }

    public var name: String { "alerts" }

    public func accepts(_ ticket: DeliveryTicket) -> Bool {
        if case .alert = ticket.item { true } else { false }
    }

    public func work(for ticket: DeliveryTicket, engine: Engine) async -> (work: AlertDelivery, attemptNumber: Int)? {
        await engine.alertDelivery(for: ticket).map { ($0, $0.attemptNumber) }
    }

    public func send(_ delivery: AlertDelivery, attemptNumber: Int, startedAt: Timestamp) async -> AttemptResult {
        let message = AlertMessage(delivery: delivery, publicURL: settings.publicURL)
        switch delivery.alert.channel {
        case .email: return await email(message, delivery: delivery)
        case .slack: return await slack(message, webhook: delivery.slackWebhookURL)
        }
    }

    private func email(_ message: AlertMessage, delivery: AlertDelivery) async -> AttemptResult {
        guard let mailer else {
            return AttemptResult(statusCode: nil, error: "not sent: no mail server is configured (--smtp-url)", verdict: .halt)
        }
        let incident = delivery.view.incident
        let mail: MailMessage
        do {
            mail = try MailMessage(
                from: mailFrom, to: try delivery.alert.recipients.map { try MailAddress($0) }, subject: message.subject,
                textBody: message.text, htmlBody: message.html,
                headers: ["X-SendPromptly-Project": incident.projectID.rawValue, "X-SendPromptly-Incident": incident.id.rawValue],
                messageID: "\(incident.id).alert\(delivery.alert.number)@\(mailFrom.domain)")
        } catch {
            return AttemptResult(statusCode: nil, error: "cannot compose: \(error)", verdict: .halt)
        }
        do {
            let report = try await mailer.send(mail)
            let refused = report.rejected.map(\.description).joined(separator: "; ")
            return AttemptResult(statusCode: report.reply.code, error: refused.isEmpty ? nil : "refused for \(refused)", verdict: .delivered)
        } catch let error as SMTPError {
            let code: Int? = if case .rejected(_, let reply) = error { reply.code } else { nil }
            return AttemptResult(statusCode: code, error: error.description, verdict: error.isTransient ? .retry(retryAfterMilliseconds: nil) : .halt)
        } catch {
            // Cancelled by shutdown: the worker records nothing and the alert is sent after restart.
            return AttemptResult(statusCode: nil, error: "\(error)", verdict: .retry(retryAfterMilliseconds: nil))
        }
    }

    private func slack(_ message: AlertMessage, webhook: String?) async -> AttemptResult {
        guard let webhook else {
            return AttemptResult(statusCode: nil, error: "not sent: the project has no Slack webhook any more", verdict: .halt)
        }
        if let refused = await settings.addressPolicy.verdict(for: webhook) { return refused }
        // Slack explains a refusal in its answer (`no_service`, `channel_is_archived`); another
        // host's answer stays off the timeline, which ingest keys can read.
        return await HTTPDelivery.post(
            Array(JSON.object([("text", .string(message.slack))]).serialized.utf8), to: webhook,
            headers: [("Content-Type", "application/json")], client: http, timeout: settings.slackTimeout,
            reportingAnswerBody: URL(string: webhook)?.host == "hooks.slack.com")
    }
}
