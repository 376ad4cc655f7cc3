import ArgumentParser
import Foundation
import SendPromptlyBench

/// `sendpromptly bench`: the load generator. Starts a server of its own (this executable's
/// `serve` on a temporary data directory) unless given `--url`, drives receipts and results,
/// verifies what the server made of them, prints a table and writes the report and chart.
///
/// Exits 0 when the run completed and (unless `--no-verify`) the verification passed, 1 when
/// the verification failed, and with a one-line reason on stderr when the run could not start.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test a server with receipts and results, then verify its incidents.",
        discussion: """
            Without --url it starts `sendpromptly serve` itself on a free port and a temporary data \
            directory, and stops it at the end. Closed loop by default (each connection sends its \
            next request when the previous answer arrives); with --rate, a fixed rate with latency \
            measured from each request's intended send time (coordinated omission corrected).
            """
    )

    @Option(help: "Base URL of a running server (http://HOST:PORT); needs --admin-token. Default: start one.")
    var url: String?

    @Option(help: "Admin token of the server at --url (also SENDPROMPTLY_ADMIN_TOKEN).")
    var adminToken: String?

    @Option(help: "Connections, each with one request in flight.")
    var connections = 32

    @Option(help: "Event loop threads of the generator.")
    var threads = 1

    @Option(help: "Requests per second over all connections (fixed-rate mode); without it, a closed loop.")
    var rate: Double?

    @Option(help: "Events to send (a receipt, and a result unless silent). Default: 20000, or unbounded with --duration.")
    var events: Int?

    @Option(help: "Seconds to send events for.")
    var duration: Double?

    @Option(help: "Share of events whose result is success.")
    var success = 80

    @Option(help: "Share of events whose result is failed (each opens an incident).")
    var fail = 15

    @Option(help: "Share of events that never report (each times out into an incident).")
    var silent = 5

    @Option(help: "Deadline of the silent events' receipts, in seconds (timeout_seconds).")
    var silentTimeout = 1

    @Flag(help: "Skip the verification of the server's state after the load.")
    var noVerify = false

    @Option(help: "Seconds to wait, past the last silent deadline plus one, for missing timeout incidents.")
    var verifyWait: Double = 10

    @Option(help: "Write the JSON report here.")
    var report: String?

    @Option(help: "Write the SVG chart (latency by percentile, throughput over time) here.")
    var chart: String?

    @Option(help: "--durability of the server bench starts (fsync, batch or none).")
    var durability = "fsync"

    func validate() throws {
        guard connections >= 1, connections <= 10_000 else { throw ValidationError("--connections must be from 1 to 10000") }
        guard threads >= 1, threads <= 64 else { throw ValidationError("--threads must be from 1 to 64") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be above zero") }
        if let events, events < 1 { throw ValidationError("--events must be at least 1") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be above zero") }
        guard (1...604_800).contains(silentTimeout) else { throw ValidationError("--silent-timeout must be from 1 to 604800 seconds") }
        guard verifyWait >= 0 else { throw ValidationError("--verify-wait must be zero or more") }
        guard ["fsync", "batch", "none"].contains(durability) else { throw ValidationError("--durability must be fsync, batch or none") }
        if url != nil, adminToken ?? ProcessInfo.processInfo.environment["SENDPROMPTLY_ADMIN_TOKEN"] == nil {
            throw ValidationError("--url needs --admin-token (or SENDPROMPTLY_ADMIN_TOKEN)")
        }
    }

    func run() async throws {
        let mix: EventMix
        do { mix = try EventMix(success: success, fail: fail, silent: silent) } catch { throw ValidationError(error.description) }
        let plan = LoadPlan(
            connections: connections, rate: rate, events: events ?? (duration == nil ? 20_000 : nil), duration: duration,
            mix: mix, silentTimeoutSeconds: silentTimeout)
        let options = BenchOptions(
            url: url, adminToken: adminToken ?? ProcessInfo.processInfo.environment["SENDPROMPTLY_ADMIN_TOKEN"],
            executable: Self.ownExecutable, serverArguments: ["--durability", durability], plan: plan, threads: threads,
            verify: !noVerify, verifyWaitSeconds: verifyWait)
        let result: BenchReport
        do {
            result = try await BenchRunner.run(options) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        } catch let error as BenchError {
            throw StartupError(error.description)
        }
        print(SummaryTable.render(result), terminator: "")
        if let report {
            try result.json().write(to: URL(fileURLWithPath: report))
        }
        if let chart {
            try Data(SVGChart.render(result).utf8).write(to: URL(fileURLWithPath: chart))
        }
        if let verification = result.verification, !verification.passed {
            throw ExitCode(1)
        }
    }

    /// This executable, to start as the server: /proc/self/exe where there is one (a path that
    /// does not depend on the working directory or PATH), else argv[0].
    private static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
