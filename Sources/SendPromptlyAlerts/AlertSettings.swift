import SendPromptlyCore
import SendPromptlyDelivery
import SendPromptlyMail

/// How alerts are sent.
public struct AlertSettings: Sendable {
    /// The mail server; nil when none is configured: email alerts then fail at once, and the
    /// timeline says why.
    public var mailServer: SMTPConfiguration?
    /// The `From` of every alert.
    public var mailFrom: String = "SendPromptly <sendpromptly@localhost>"
    /// The server's address as operators reach it, for links to the console; nil leaves links out.
    public var publicURL: String?
    /// One Slack webhook call's limit.
    public var slackTimeout: Duration = .seconds(10)
    /// Where Slack webhooks may go: the repair callbacks' policy (`--repair-allow`).
    public var addressPolicy = AddressPolicy()!
    /// Retries spread over about seven hours, so a mail server down for an afternoon still
    /// gets every alert; 20 alerts per second per project; 16 in flight at once, 4 for one project.
    public var pacing = OutboxPacing(
        retrySchedule: .alerts, attemptsPerSecondPerProject: 20, maximumConcurrentAttempts: 16, maximumConcurrentAttemptsPerProject: 4)

    public init() {}
}
