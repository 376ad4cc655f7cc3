/// A validated `POST` or `PATCH /admin/v1/projects` body: each member present is a change,
/// and `null` clears an optional setting.
public struct ProjectSettingsChange: Sendable, Equatable {
    public var name: String?
    public var mode: ProjectMode?
    public var repairURL: String??
    public var alertEmails: [String]?
    public var slackWebhookURL: String??
    public var defaultTimeoutMinutes: Int?

    public init() {}

    /// - Parameter allowInsecureURLs: accept `http://` repair URLs to hosts other than loopback
    ///   (`--allow-insecure-repair-urls`).
    public init(body: some Collection<UInt8>, allowInsecureURLs: Bool) throws(EngineError) {
        let fields = try FieldReader(body: body)
        func cleared(_ name: String) -> Bool {
            fields.members.contains { $0.0 == name && $0.1 == .null }
        }
        name = try fields.string("name", maxLength: 200)
        mode = try fields.choice("mode", of: ProjectMode.self)
        if let url = try fields.string("repair_url", maxLength: 2000) {
            try URLRules.checkRepairURL(url, allowInsecure: allowInsecureURLs)
            repairURL = .some(url)
        } else if cleared("repair_url") {
            repairURL = .some(nil)
        }
        if let emails = try fields.strings("alert_emails", maxCount: 50, maxLength: 254) {
            for email in emails where !URLRules.isPlausibleEmail(email) {
                throw .validation(field: "alert_emails", message: "\(email) is not an email address")
            }
            alertEmails = emails
        } else if cleared("alert_emails") {
            alertEmails = []
        }
        if let url = try fields.string("slack_webhook_url", maxLength: 2000) {
            // http:// only to loopback: a local relay, or a test double of Slack.
            guard URLRules.host(ofURL: url, scheme: "https") != nil
                || URLRules.host(ofURL: url, scheme: "http").map(URLRules.isLoopback(host:)) == true
            else {
                throw .validation(field: "slack_webhook_url", message: "slack_webhook_url must be an https:// URL (http:// only to loopback)")
            }
            slackWebhookURL = .some(url)
        } else if cleared("slack_webhook_url") {
            slackWebhookURL = .some(nil)
        }
        defaultTimeoutMinutes = try fields.integer("default_timeout_minutes", in: 1...10_080).map { Int($0) }
    }

    /// The settings of a new project; `name` is required.
    public func creating() throws(EngineError) -> ProjectSettings {
        guard let name else { throw .validation(field: "name", message: "name is required") }
        var settings = ProjectSettings(name: name)
        apply(to: &settings)
        return settings
    }

    public func apply(to settings: inout ProjectSettings) {
        if let name { settings.name = name }
        if let mode { settings.mode = mode }
        if let repairURL { settings.repairURL = repairURL }
        if let alertEmails { settings.alertEmails = alertEmails }
        if let slackWebhookURL { settings.slackWebhookURL = slackWebhookURL }
        if let defaultTimeoutMinutes { settings.defaultTimeoutMinutes = defaultTimeoutMinutes }
    }
}

/// A validated `POST /admin/v1/projects/{id}/keys` body.
public struct KeyRequest: Sendable, Equatable {
    public var label: String
    public var scope: KeyScope

    public init(label: String, scope: KeyScope) {
        self.label = label
        self.scope = scope
    }

    public init(body: some Collection<UInt8>) throws(EngineError) {
        let fields = try FieldReader(body: body)
        guard let label = try fields.string("label", required: true, maxLength: 100) else {
            throw .validation(field: "label", message: "label is required")
        }
        self.init(label: label, scope: try fields.choice("scope", of: KeyScope.self) ?? .ingest)
    }
}

/// A validated `POST /api/v1/incidents/{id}/resolve` body; the body may be empty.
public struct ResolveRequest: Sendable, Equatable {
    public var note: String?

    public init(note: String? = nil) {
        self.note = note
    }

    public init(body: some Collection<UInt8>) throws(EngineError) {
        if body.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            self.init()
            return
        }
        let fields = try FieldReader(body: body)
        self.init(note: try fields.string("note", maxLength: 2000))
    }
}

/// The shape checks on URLs and addresses that operators type into project settings.
public enum URLRules {
    /// The host of `url` when it is an absolute URL of `scheme` with a non-empty host.
    public static func host(ofURL url: String, scheme: String) -> String? {
        let prefix = scheme + "://"
        guard url.lowercased().hasPrefix(prefix) else { return nil }
        let rest = url.dropFirst(prefix.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@"), !authority.contains(where: \.isWhitespace) else { return nil }
        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        return host.isEmpty ? nil : host.lowercased()
    }

    /// `localhost`, or an IP literal in 127.0.0.0/8 or `::1`. Judged by the literal, not by a
    /// name that merely starts with `127.` (which any DNS zone can point anywhere).
    public static func isLoopback(host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { octet in octet.count <= 3 && UInt8(octet) != nil }
    }

    /// A repair URL is `https://`, or `http://` to a loopback address, or any `http://` URL
    /// when the server allows insecure repair URLs.
    static func checkRepairURL(_ url: String, allowInsecure: Bool) throws(EngineError) {
        if host(ofURL: url, scheme: "https") != nil { return }
        if let host = host(ofURL: url, scheme: "http"), allowInsecure || isLoopback(host: host) { return }
        throw .validation(
            field: "repair_url",
            message: "repair_url must be an https:// URL (http:// only to loopback, or with --allow-insecure-repair-urls)")
    }

    /// `local@domain.tld` in printable ASCII without the characters an SMTP envelope cannot
    /// carry unquoted: what the mailer can send to (it does not speak SMTPUTF8).
    static func isPlausibleEmail(_ text: String) -> Bool {
        let forbidden = Set("<>()[],;:\\\"".utf8)
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }
    }
}
