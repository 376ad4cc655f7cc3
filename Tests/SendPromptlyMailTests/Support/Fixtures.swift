import Foundation
import SendPromptlyMail

/// Messages and configurations the tests share.
enum Fixtures {
    static let user = "alerts-user"
    static let password = "pa:ss/w@rd s3cret"

    /// A small alert to `recipients` (addresses).
    static func message(to recipients: [String] = ["ops@example.test"]) throws -> MailMessage {
        try MailMessage(
            from: MailAddress("alerts@sendpromptly.test", displayName: "SendPromptly"),
            to: recipients.map { try MailAddress($0) },
            subject: "Incident inc_01 opened",
            textBody: "Payment evt_1 was paid but never applied.\n",
            htmlBody: "<p>Payment <b>evt_1</b> was paid but never applied.</p>\n",
            headers: ["X-SendPromptly-Incident": "inc_01"])
    }

    /// A configuration for `server` with a short step timeout, so that a hang fails fast.
    static func configuration(
        _ server: SMTPTestServer, host: String = "127.0.0.1", security: SMTPConfiguration.Security = .none,
        credentials: SMTPConfiguration.Credentials? = nil, trustedCAFile: String? = nil
    ) -> SMTPConfiguration {
        SMTPConfiguration(
            host: host, port: server.port, security: security, credentials: credentials,
            trustedCAFile: trustedCAFile, heloName: "client.sendpromptly.test",
            stepTimeout: .seconds(10), connectTimeout: .seconds(5))
    }

    static var credentials: SMTPConfiguration.Credentials {
        SMTPConfiguration.Credentials(username: user, password: password)
    }
}
