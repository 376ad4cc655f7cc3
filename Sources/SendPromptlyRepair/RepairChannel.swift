import AsyncHTTPClient
import Foundation
import NIOCore
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
        guard let host = URL(string: repairURL)?.host else {
            return AttemptResult(statusCode: nil, error: "the repair URL is not a URL", verdict: .halt)
        }
        do {
            try await settings.addressPolicy.check(host: host)
        } catch let refusal as RepairAddressPolicy.Refusal {
            return AttemptResult(statusCode: nil, error: "refused: \(refusal)", verdict: .halt)
        } catch {
            return AttemptResult(statusCode: nil, error: "address check failed: \(error)", verdict: .retry(retryAfterMilliseconds: nil))
        }
        let callback = RepairCallback(delivery: delivery, timestamp: startedAt.millisecondsSinceEpoch / 1000)
        var request = HTTPClientRequest(url: repairURL)
        request.method = .POST
        for header in callback.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: callback.body))
        do {
            let response = try await client.execute(request, timeout: TimeAmount(settings.timeout))
            // Read (and drop) the answer, so that the connection can be reused.
            for try await _ in response.body {}
            let status = Int(response.status.code)
            return AttemptResult(
                statusCode: status, error: (300..<400).contains(status) ? "redirect not followed" : nil,
                verdict: AttemptVerdict(httpStatus: status, retryAfter: response.headers.first(name: "Retry-After"), now: Date()))
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            return AttemptResult(statusCode: nil, error: "timed out after \(settings.timeout)", verdict: .retry(retryAfterMilliseconds: nil))
        } catch {
            return AttemptResult(
                statusCode: nil, error: "network error: \(String(describing: error).prefix(200))", verdict: .retry(retryAfterMilliseconds: nil))
        }
    }
}
