import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import SendPromptlyCore
import SendPromptlyDelivery
import SendPromptlyAlerts
import SendPromptlyHTTP
import SendPromptlyMail
import SendPromptlyRepair
import SendPromptlyStorage

/// `sendpromptly serve`: the server with embedded defaults. Every option also reads
/// `SENDPROMPTLY_<NAME>`; the flag wins over the variable.
///
/// SIGTERM or SIGINT stops accepting connections, lets requests in flight finish, writes a final
/// snapshot and exits 0; a second signal, or `--shutdown-timeout` passing, exits at once with 1.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server.",
        discussion: "Every option can also be set by the environment variable shown with it; a flag wins over its variable."
    )

    @Option(help: help("Address to listen on.", "host", default: "127.0.0.1"))
    var host: String?

    @Option(help: help("Port to listen on (0 picks a free one).", "port", default: "8080"))
    var port: Int?

    @Option(help: help("Directory for the server's data (admin token hash; later journal and snapshots).", "data-dir", default: "./snapshots"))
    var dataDir: String?

    @Option(help: help(
        "Token for the admin API and console. Without it, one is generated on first start, printed once and kept hashed in the data directory.",
        "admin-token", default: nil))
    var adminToken: String?

    @Option(help: help("Shard actors that own the projects' pending receipts.", "shards", default: "the number of cores"))
    var shards: Int?

    @Option(help: help(
        "When a receipt is acknowledged: fsync (after its journal record is fsynced), batch (at once; fsync at most every --batch-interval ms), none (at once; never fsync).",
        "durability", default: "fsync"))
    var durability: String?

    @Option(help: help("With --durability batch, the longest time between two fsyncs, in milliseconds.", "batch-interval", default: "10"))
    var batchInterval: Int?

    @Option(help: help("Seconds between two snapshots of the engine (one more is written at shutdown).", "snapshot-interval", default: "60"))
    var snapshotInterval: Int?

    @Option(help: help(
        "How long a finished event (succeeded, or its incident resolved) and its incident stay after their last change; then the API answers 404 for them. Seconds, or a number with s, m, h or d (at least 1 minute).",
        "retention", default: "30d"))
    var retention: String?

    @Option(help: help(
        "How long the first answer to an Idempotency-Key is answered again. Seconds, or a number with s, m, h or d (at least 1 minute).",
        "idempotency-window", default: "24h"))
    var idempotencyWindow: String?

    @Option(help: help("Largest request body accepted, in bytes.", "max-body-bytes", default: "16384"))
    var maxBodyBytes: Int?

    @Option(help: help("Receipts and results per second one project may send (decimals allowed); more get 429 rate_limited. 0: no limit.", "rate-limit", default: "0"))
    var rateLimit: String?

    @Option(help: help("Receipts and results one project may send at once within --rate-limit.", "rate-limit-burst", default: "one second of --rate-limit"))
    var rateLimitBurst: Int?

    @Option(help: help("Receipts one project may have waiting for a result; a new one past it gets 429 rate_limited. 0: no cap.", "max-pending-per-project", default: "1000000"))
    var maxPendingPerProject: Int?

    @Option(help: help("Open connections in total; more are closed when accepted.", "max-connections", default: "4096"))
    var maxConnections: Int?

    @Option(help: help("Open connections from one client address; more are closed when accepted.", "max-connections-per-client", default: "256"))
    var maxConnectionsPerClient: Int?

    @Option(help: help("Seconds a connection may wait for its next request before it is closed.", "idle-timeout", default: "75"))
    var idleTimeout: String?

    @Option(help: help("Seconds a request may take to arrive, first byte to last; a slower one's connection is closed.", "request-timeout", default: "10"))
    var requestTimeout: String?

    @Option(help: help("Bytes of a request's header lines together; more get 431 headers_too_large.", "max-header-bytes", default: "16384"))
    var maxHeaderBytes: Int?

    @Option(help: help("Header lines of a request; more get 431 headers_too_large.", "max-header-count", default: "100"))
    var maxHeaderCount: Int?

    // Named by hand: derived from the property, the flag would be spelled `--allow-insecure-repair-ur-ls`.
    @Flag(
        name: .customLong("allow-insecure-repair-urls"),
        help: help("Accept http:// repair URLs to hosts other than loopback.", "allow-insecure-repair-urls", default: "off"))
    var allowInsecureRepairURLs = false

    @Option(help: help("Seconds one repair callback attempt may take.", "repair-timeout", default: "10"))
    var repairTimeout: String?

    @Option(help: help(
        "Seconds to wait before each retry of a failed repair callback, comma-separated; one attempt more than delays (each delay varies by up to 20%).",
        "repair-retry-schedule", default: "5,30,120,600,1800,3600"))
    var repairRetrySchedule: String?

    @Option(help: help(
        "Hosts and address ranges (CIDR) that repair callbacks and Slack webhooks may reach although private, link-local or otherwise internal, comma-separated.",
        "repair-allow", default: "none: only public and loopback addresses"))
    var repairAllow: String?

    @Option(help: help("Repair callbacks per second to one project's repair URL (a bulk reprocess is paced by it).", "repair-rate", default: "10"))
    var repairRate: Int?

    @Option(
        name: .customLong("public-url"),
        help: help(
            "The server's address as operators reach it: console links in alerts, the console's curl commands, Secure cookies when https.",
            "public-url", default: "http://HOST:PORT"))
    var publicURL: String?

    @Option(
        name: .customLong("smtp-url"),
        help: help(
            "Mail server for alert emails: smtp://user:password@host:587?starttls=required|optional|never, or smtps://... for TLS from the start (port 465); ca_file=PATH trusts that CA. Without it email alerts are not sent, and each incident's timeline says so.",
            "smtp-url", default: nil))
    var smtpURL: String?

    @Option(help: help("SMTP user name, with --smtp-password-file (instead of the credentials in --smtp-url).", "smtp-username", default: nil))
    var smtpUsername: String?

    @Option(help: help("File holding the SMTP password (keep it mode 0600); its trailing newline is ignored.", "smtp-password-file", default: nil))
    var smtpPasswordFile: String?

    @Option(help: help("From address of alert emails.", "mail-from", default: "SendPromptly <sendpromptly@localhost>"))
    var mailFrom: String?

    @Option(help: help(
        "Seconds to wait before each retry of a failed alert, comma-separated.", "alert-retry-schedule",
        default: "5,15,30,60,120,300,600,1800 then hourly six times"))
    var alertRetrySchedule: String?

    @Option(help: help("trace, debug, info, notice, warning, error or critical.", "log-level", default: "info"))
    var logLevel: String?

    @Option(help: help("PEM file with the server's certificate (and its chain): serve HTTPS, with --tls-key.", "tls-cert", default: nil))
    var tlsCert: String?

    @Option(help: help("PEM file with the private key of --tls-cert (keep it mode 0600).", "tls-key", default: nil))
    var tlsKey: String?

    @Option(help: help(
        "Seconds a graceful shutdown may take (requests in flight, final snapshot) before the process exits without finishing it.",
        "shutdown-timeout", default: "30"))
    var shutdownTimeout: String?

    @Option(help: help("Bearer token GET /metrics asks for (at least 16 characters); without it /metrics is open.", "metrics-token", default: nil))
    var metricsToken: String?

    private static func help(_ text: String, _ flag: String, default fallback: String?) -> ArgumentHelp {
        var help = text + " (env: \(Setting.variable(for: flag))"
        if let fallback { help += "; default: \(fallback)" }
        return ArgumentHelp(stringLiteral: help + ")")
    }

    func run() async throws {
        let setting = Setting()
        var settings = ServerSettings()
        settings.host = setting.string("host", host) ?? settings.host
        settings.port = try setting.integer("port", port, default: settings.port, range: 0...65_535)
        settings.maximumBodyBytes = try setting.integer(
            "max-body-bytes", maxBodyBytes, default: settings.maximumBodyBytes, range: 1024...(16 * 1024 * 1024))
        settings.allowInsecureRepairURLs = try setting.flag("allow-insecure-repair-urls", allowInsecureRepairURLs)
        settings.limits = try httpLimits(setting)
        let quota = try ingestQuota(setting)
        let retentionPolicy = RetentionPolicy(
            retentionSeconds: try setting.duration(
                "retention", retention, default: RetentionPolicy.defaultRetentionSeconds, minimum: RetentionPolicy.minimumSeconds),
            idempotencyWindowSeconds: try setting.duration(
                "idempotency-window", idempotencyWindow, default: IdempotencyToken.retentionSeconds, minimum: RetentionPolicy.minimumSeconds))
        let shardCount = try setting.integer(
            "shards", shards, default: ProcessInfo.processInfo.activeProcessorCount, range: JournalFormat.shardCounts)
        let levelName = setting.string("log-level", logLevel) ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else {
            throw StartupError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        let durabilityName = setting.string("durability", durability) ?? "fsync"
        guard let durabilityMode = Durability(rawValue: durabilityName) else {
            throw StartupError("--durability must be fsync, batch or none, not \(durabilityName)")
        }
        let batchMilliseconds = try setting.integer("batch-interval", batchInterval, default: 10, range: 1...10_000)
        let snapshotSeconds = try setting.integer("snapshot-interval", snapshotInterval, default: 60, range: 1...86_400)
        var repair = RepairSettings()
        repair.timeout = try setting.seconds("repair-timeout", repairTimeout, default: repair.timeout, range: 0.05...300)
        if let text = setting.string("repair-retry-schedule", repairRetrySchedule) {
            guard let schedule = RetrySchedule(secondsList: text) else {
                throw StartupError("--repair-retry-schedule must be seconds separated by commas, like 5,30,120, not \(text)")
            }
            repair.pacing.retrySchedule = schedule
        }
        let allowList = setting.string("repair-allow", repairAllow).map { $0.split(separator: ",").map(String.init) } ?? []
        guard let policy = AddressPolicy(allowing: allowList) else {
            throw StartupError("--repair-allow takes host names and CIDR ranges such as 10.0.0.0/8, separated by commas")
        }
        repair.addressPolicy = policy
        repair.pacing.attemptsPerSecondPerProject = Double(try setting.integer("repair-rate", repairRate, default: 10, range: 1...10_000))
        let tls = try TLSFiles.configuration(
            certificatePath: setting.string("tls-cert", tlsCert), keyPath: setting.string("tls-key", tlsKey))
        let scheme = tls == nil ? "http" : "https"
        var alerts = try alertSettings(
            setting, defaultPublicURL: settings.port == 0 ? nil : "\(scheme)://\(settings.host):\(settings.port)")
        alerts.addressPolicy = policy
        settings.publicURL = setting.string("public-url", publicURL)
        if let token = setting.string("metrics-token", metricsToken) {
            guard token.utf8.count >= 16 else { throw StartupError("the metrics token must be at least 16 characters") }
            settings.metricsTokenHash = SecretHash(of: token)
        }
        let shutdownLimit = try setting.seconds("shutdown-timeout", shutdownTimeout, default: .seconds(30), range: 0.1...3600)
        let dataDirectory = try DataDirectory(path: setting.string("data-dir", dataDir) ?? "./snapshots")

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "sendpromptly")
        logger.logLevel = level
        let metrics = ServerMetrics(registry: PrometheusCollectorRegistry())
        MetricsSystem.bootstrap(metrics.factory)

        let admin = try AdminToken.resolve(configured: setting.string("admin-token", adminToken), in: dataDirectory)
        if let generated = admin.generated {
            // Printed once, on the terminal only: never logged, never stored in clear.
            FileHandle.standardOutput.write(Data("Generated admin token (shown once; keep it safe): \(generated)\n".utf8))
        }

        // One client for repair callbacks and Slack alerts; it never follows redirects.
        let deliveryClient = RepairChannel.makeHTTPClient()
        let alertChannel: AlertChannel
        do {
            alertChannel = try AlertChannel(settings: alerts, http: deliveryClient)
        } catch {
            try? await deliveryClient.shutdown()
            throw StartupError("cannot set up alerts: \(error)")
        }

        let slot = EngineSlot()
        let readiness = Readiness()
        let directory = dataDirectory.url.path
        let engineService = EngineService(
            directory: directory, shardCount: shardCount, durability: durabilityMode,
            batchInterval: .milliseconds(batchMilliseconds), snapshotInterval: .seconds(snapshotSeconds),
            expiryInterval: settings.expiryInterval, quota: quota, retention: retentionPolicy,
            repairChannel: RepairChannel(client: deliveryClient, settings: repair), repairPacing: repair.pacing,
            alertChannel: alertChannel, alertPacing: alerts.pacing, slot: slot, readiness: readiness, metrics: metrics,
            logger: logger)
        let host = settings.host
        let application = try buildApplication(
            slot: slot, settings: settings, adminTokenHash: admin.hash, readiness: readiness, logger: logger,
            metrics: metrics, tls: tls, services: [engineService],
            onListening: { port in
                FileHandle.standardOutput.write(Data("sendpromptly listening on \(scheme)://\(host):\(port)\n".utf8))
            })
        logger.info("starting", metadata: ["data_dir": "\(directory)", "host": "\(host)"])
        ShutdownWatchdog.start(timeout: shutdownLimit)
        do {
            try await application.runService()
        } catch {
            try? await deliveryClient.shutdown()
            switch error {
            case let error as IOError: throw StartupError("cannot listen on \(host):\(settings.port): \(error.description)")
            case let error as Recovery.Failure: throw StartupError("cannot recover: \(error.description)")
            default: throw error
            }
        }
        try await deliveryClient.shutdown()
        logger.info("stopped")
    }

    private func httpLimits(_ setting: Setting) throws -> HTTPLimits {
        var limits = HTTPLimits()
        limits.maximumConnections = try setting.integer(
            "max-connections", maxConnections, default: limits.maximumConnections, range: 1...1_000_000)
        limits.maximumConnectionsPerAddress = try setting.integer(
            "max-connections-per-client", maxConnectionsPerClient, default: limits.maximumConnectionsPerAddress, range: 1...1_000_000)
        limits.idleTimeout = try setting.seconds("idle-timeout", idleTimeout, default: limits.idleTimeout, range: 0.05...86_400)
        limits.requestTimeout = try setting.seconds("request-timeout", requestTimeout, default: limits.requestTimeout, range: 0.05...3600)
        limits.maximumHeaderBytes = try setting.integer(
            "max-header-bytes", maxHeaderBytes, default: limits.maximumHeaderBytes, range: 1024...(1024 * 1024))
        limits.maximumHeaderCount = try setting.integer(
            "max-header-count", maxHeaderCount, default: limits.maximumHeaderCount, range: 8...10_000)
        return limits
    }

    private func ingestQuota(_ setting: Setting) throws -> IngestQuota {
        let rateText = setting.string("rate-limit", rateLimit) ?? "0"
        guard let perSecond = Double(rateText), perSecond >= 0, perSecond <= 10_000_000 else {
            throw StartupError("--rate-limit must be a number of requests per second from 0 (no limit) to 10000000, not \(rateText)")
        }
        let burst = try setting.integer(
            "rate-limit-burst", rateLimitBurst, default: max(1, Int(perSecond.rounded(.up))), range: 1...10_000_000)
        let pending = try setting.integer(
            "max-pending-per-project", maxPendingPerProject, default: 1_000_000, range: 0...1_000_000_000)
        return IngestQuota(
            rate: perSecond > 0 ? IngestQuota.Rate(perSecond: perSecond, burst: burst) : nil,
            maximumPendingPerProject: pending > 0 ? pending : nil)
    }

    private func alertSettings(_ setting: Setting, defaultPublicURL: String?) throws -> AlertSettings {
        var alerts = AlertSettings()
        alerts.publicURL = setting.string("public-url", publicURL) ?? defaultPublicURL
        alerts.mailFrom = setting.string("mail-from", mailFrom) ?? alerts.mailFrom
        if let text = setting.string("alert-retry-schedule", alertRetrySchedule) {
            guard let schedule = RetrySchedule(secondsList: text) else {
                throw StartupError("--alert-retry-schedule must be seconds separated by commas, like 5,30,120, not \(text)")
            }
            alerts.pacing.retrySchedule = schedule
        }
        guard let url = setting.string("smtp-url", smtpURL) else { return alerts }
        var server: SMTPConfiguration
        do {
            server = try SMTPConfiguration(url: url)
        } catch {
            throw StartupError("--smtp-url: \(error.description)")
        }
        if setting.string("smtp-username", smtpUsername) != nil, setting.string("smtp-password-file", smtpPasswordFile) == nil {
            throw StartupError("--smtp-username needs --smtp-password-file (or put both in --smtp-url)")
        }
        if let file = setting.string("smtp-password-file", smtpPasswordFile) {
            guard let username = setting.string("smtp-username", smtpUsername) else {
                throw StartupError("--smtp-password-file needs --smtp-username")
            }
            guard let contents = FileManager.default.contents(atPath: file), let text = String(data: contents, encoding: .utf8) else {
                throw StartupError("cannot read the SMTP password file \(file)")
            }
            var password = text
            while password.last == "\n" || password.last == "\r" { password.removeLast() }
            server.credentials = .init(username: username, password: password)
        }
        alerts.mailServer = server
        return alerts
    }
}
