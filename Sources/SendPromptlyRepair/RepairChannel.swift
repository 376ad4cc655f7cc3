import AsyncHTTPClient
import SendPromptlyCore
import SendPromptlyDelivery
import SendPromptlyEngine

/// Repair callbacks as an outbox channel: a signed POST to the project's repair URL for each
/// attempt of a replay (section 5 of the wire contract), with a fresh timestamp and nonce and
/// the replay's `replay_id`.
public struct RepairChannel: DeliveryChannel {
    private let client: HTTPClient
    private let settings: RepairSettings

    /// - Parameter client: an HTTP client that does not follow redirects (see
    ///   ``makeHTTPClient()``); its owner shuts it down after the worker has stopped.
    public init(client: HTTPClient, settings: RepairSettings) {
        self.client = client
        self.settings = settings
    }

    /// The client the channel expects: redirects are answers, never followed.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public var name: String { "repair" }

    public func accepts(_ ticket: DeliveryTicket) -> Bool {
        if case .replay = ticket.item { true } else { false }
    }

    public func work(for ticket: DeliveryTicket, engine: Engine) async -> (work: ReplayDelivery, attemptNumber: Int)? {
        await engine.replayDelivery(for: ticket).map { ($0, $0.attemptNumber) }
    }

    public func send(_ delivery: ReplayDelivery, attemptNumber: Int, startedAt: Timestamp) async -> AttemptResult {
        guard let repairURL = delivery.repairURL else {
            return AttemptResult(statusCode: nil, error: "the project has no repair URL", verdict: .halt)
        }
        if let refused = await settings.addressPolicy.verdict(for: repairURL) { return refused }
        let callback = RepairCallback(delivery: delivery, timestamp: startedAt.millisecondsSinceEpoch / 1000)
        return await HTTPDelivery.post(callback.body, to: repairURL, headers: callback.headers, client: client, timeout: settings.timeout)
    }
}
