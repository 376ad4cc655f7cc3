import Foundation
import NIOCore
import NIOPosix

/// Everything `sendpromptly bench` was asked to do.
public struct BenchOptions: Sendable {
    /// A running server's base URL (`http://host:port`); nil starts one.
    public var url: String?
    /// The admin token of the server at `url`.
    public var adminToken: String?
    /// The executable to start as `serve` when `url` is nil, and what to add to its flags.
    public var executable: String
    public var serverArguments: [String]
    public var plan: LoadPlan
    /// Event loop threads of the generator (wrk's `-t`).
    public var threads: Int
    public var verify: Bool
    /// How long past the last silent receipt's deadline (plus the contract's one second) the
    /// verification waits for its timeout incidents before it counts them missing.
    public var verifyWaitSeconds: Double

    public init(
        url: String?, adminToken: String?, executable: String, serverArguments: [String], plan: LoadPlan, threads: Int,
        verify: Bool, verifyWaitSeconds: Double
    ) {
        self.url = url
        self.adminToken = adminToken
        self.executable = executable
        self.serverArguments = serverArguments
        self.plan = plan
        self.threads = threads
        self.verify = verify
        self.verifyWaitSeconds = verifyWaitSeconds
    }
}

/// A whole run: the server (started or given), a project, the load with its progress display,
/// the verification, the report. Whatever happens, the connections are closed, the event loops
/// shut down and a server it started is stopped (SIGTERM) before `run` returns or throws.
public enum BenchRunner {
    public static func run(_ options: BenchOptions, log: @escaping @Sendable (String) -> Void) async throws -> BenchReport {
        let server: ServerLauncher?
        let host: String
        let port: Int
        let adminToken: String
        if let url = options.url {
            (host, port) = try parse(url)
            guard let token = options.adminToken else { throw BenchError("--url needs --admin-token (the server's admin token)") }
            server = nil
            adminToken = token
        } else {
            log("starting \(options.executable) serve on a temporary data directory")
            let started = try await ServerLauncher.start(executable: options.executable, arguments: options.serverArguments)
            server = started
            (host, port, adminToken) = (started.host, started.port, started.adminToken)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        var connections: [HTTPConnection] = []
        do {
            // One more than the load's: the first carries the operator and verification calls.
            for _ in 0...options.plan.connections {
                connections.append(try await HTTPConnection.connect(host: host, port: port, on: group.next()).get())
            }
            let report = try await measure(
                options, host: "\(host):\(port)", adminToken: adminToken, server: server, connections: connections,
                connect: { try await HTTPConnection.connect(host: host, port: port, on: group.next()).get() }, log: log)
            await close(connections, group: group, server: server)
            return report
        } catch {
            await close(connections, group: group, server: server)
            throw error
        }
    }

    private static func measure(
        _ options: BenchOptions, host: String, adminToken: String, server: ServerLauncher?, connections: [HTTPConnection],
        connect: () async throws -> HTTPConnection, log: @escaping @Sendable (String) -> Void
    ) async throws -> BenchReport {
        let api = ServerAPI(host: host)
        // The first connection serves the operator and verification calls, the rest the load.
        let control = connections[0]
        let load = Array(connections.dropFirst())
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let project = try await api.createProject(named: "bench \(run)", adminToken: adminToken, over: control)
        let plan = options.plan
        let requests = IngestRequests(host: host, apiKey: project.apiKey, run: run, silentTimeoutSeconds: plan.silentTimeoutSeconds)

        let progress = LoadProgress()
        let display = ProgressDisplay(progress: progress, total: plan.events, duration: plan.duration)
        let clientCPU = ProcessCPU.ownSeconds()
        let serverCPU = server?.cpuSeconds
        let outcome: LoadOutcome
        do {
            outcome = try await LoadDriver.run(plan, requests: requests, connections: load, progress: progress)
        } catch {
            await display.finish()
            throw error
        }
        await display.finish()
        let clientSeconds = ProcessCPU.ownSeconds() - clientCPU
        let serverSeconds = serverCPU.flatMap { before in server?.cpuSeconds.map { $0 - before } }

        let verifying = ContinuousClock.now
        var verification: Verification?
        if options.verify {
            // A connection of its own: the first sat idle through the load, which may have
            // outlasted the server's idle timeout.
            let verifier = try await connect()
            do {
                verification = try await verify(
                    outcome, plan: plan, run: run, api: api, apiKey: project.apiKey, control: verifier, load: load,
                    waitSeconds: options.verifyWaitSeconds, log: log)
            } catch {
                await verifier.close()
                throw error
            }
            await verifier.close()
        }
        let verificationSeconds = verification.map { _ in (ContinuousClock.now - verifying) / .seconds(1) }
        let configuration = BenchReport.Configuration(
            mode: plan.rate == nil ? "closed-loop" : "fixed-rate", connections: plan.connections, rate: plan.rate,
            events: plan.events, durationSeconds: plan.duration, success: plan.mix.success, fail: plan.mix.fail,
            silent: plan.mix.silent, silentTimeoutSeconds: plan.silentTimeoutSeconds, server: "http://\(host)",
            serverStartedByBench: server != nil)
        return BenchReport(
            configuration: configuration, load: outcome, clientCPUSeconds: clientSeconds, serverCPUSeconds: serverSeconds,
            verification: verification, verificationSeconds: verificationSeconds)
    }

    /// Waits for the silent receipts' deadlines (bounded), then reads the project's incidents
    /// and every checked event back and hands them to the `Verifier`.
    private static func verify(
        _ outcome: LoadOutcome, plan: LoadPlan, run: String, api: ServerAPI, apiKey: String, control: HTTPConnection,
        load: [HTTPConnection], waitSeconds: Double, log: @Sendable (String) -> Void
    ) async throws -> Verification {
        let clock = SystemMonotonicClock()
        let checked = outcome.outcomes.filter(Verifier.isVerifiable)
        let silent = checked.filter { $0.kind == .silent }
        var incidents = try await api.incidents(apiKey: apiKey, over: control)
        if let lastAcknowledged = silent.map(\.acknowledgedAt).max() {
            // The server accepted each receipt before answering, so its deadline is at most
            // `silentTimeoutSeconds` after the answer; the contract fires it within a second.
            let due = lastAcknowledged + UInt64(plan.silentTimeoutSeconds + 1) * 1_000_000_000
            let giveUp = due + UInt64(waitSeconds * 1e9)
            func timeouts() -> Int { incidents.count { $0.reason == "timeout" } }
            if timeouts() < silent.count {
                let now = clock.nanoseconds()
                if due > now {
                    log("verifying: waiting \(String(format: "%.1f", Double(due - now) / 1e9)) s for the last silent receipts' deadlines")
                    try await Task.sleep(for: .nanoseconds(due - now))
                }
                incidents = try await api.incidents(apiKey: apiKey, over: control)
                while timeouts() < silent.count, clock.nanoseconds() < giveUp {
                    try await Task.sleep(for: .milliseconds(500))
                    incidents = try await api.incidents(apiKey: apiKey, over: control)
                }
            }
        }
        log("verifying: reading \(checked.count) events and \(incidents.count) incidents back")
        let events = try await api.events(checked.compactMap(\.eventID), apiKey: apiKey, over: load.isEmpty ? [control] : load)
        return Verifier.verify(outcomes: outcome.outcomes, incidents: incidents, events: events) {
            IngestRequests.eventNumber(providerEventID: $0, run: run)
        }
    }

    private static func close(_ connections: [HTTPConnection], group: MultiThreadedEventLoopGroup, server: ServerLauncher?) async {
        for connection in connections { await connection.close() }
        try? await group.shutdownGracefully()
        if let server { await server.stop() }
    }

    /// Host and port of an `http://` base URL.
    static func parse(_ url: String) throws -> (String, Int) {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host, !host.isEmpty else {
            throw BenchError("--url must be an http:// URL such as http://127.0.0.1:8080, not \(url)")
        }
        return (host, components.port ?? 80)
    }
}
