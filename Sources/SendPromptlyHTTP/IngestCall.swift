import HTTPTypes
import NIOCore
import SendPromptlyCore
import SendPromptlyEngine

/// The two ingest calls of the wire contract (section 3), described once for both ways a
/// request reaches them: ``IngestChannelHandler`` answers them on the event loop that read
/// them, and the router answers them when other requests of the same connection are ahead.
/// Both run the checks of section 2 in the same order: `Accept`, credential, `Content-Type`,
/// body size, `Idempotency-Key`, body.
enum IngestCall: Sendable {
    case receipt
    case result

    /// Every path of the two calls; built once, since every request on the hot path looks here.
    private static let routes: [(path: String, call: IngestCall)] = [
        ("/api/v1/receipt", .receipt), ("/v1/receipt", .receipt), ("/api/v1/result", .result), ("/v1/result", .result),
    ]

    /// The paths the router serves this call at.
    var paths: [String] {
        Self.routes.filter { $0.call == self }.map(\.path)
    }

    /// The call at `path` (without the query), with or without the `/api` prefix, and that
    /// route's name as the router's metrics label it.
    static func match(_ path: Substring) -> (call: IngestCall, route: String)? {
        routes.first { $0.path == path }.map { ($0.call, $0.path) }
    }

    /// The path an `Idempotency-Key`'s fingerprint names, whichever path the request used: the
    /// contract serves each call at both, so a retry through the other one is the same request.
    private var canonicalPath: Substring {
        switch self {
        case .receipt: "/api/v1/receipt"
        case .result: "/api/v1/result"
        }
    }

    /// The shard command for a request whose credential and body passed their checks.
    func command(access: Access, headers: some RequestHeaderFields, body: ByteBuffer) throws(APIError) -> ShardCommand {
        let token = try RequestGuards.idempotencyToken(headers, path: canonicalPath, body: body)
        do throws(EngineError) {
            switch self {
            case .receipt: return .receipt(access.project!, access, try Receipt(body: body.readableBytesView), token)
            case .result: return .result(access.project!, access, try ResultReport(body: body.readableBytesView), token)
            }
        } catch {
            throw APIError(error)
        }
    }

    /// What the client is told once the command is durable.
    func answer(_ outcome: CommandOutcome) -> IngestAnswer {
        switch (self, outcome) {
        case (.receipt, .receipt(let reply)):
            IngestAnswer(status: .accepted, body: Views.receiptAccepted(reply.answer), replayed: reply.replayed)
        case (.result, .result(let reply)):
            IngestAnswer(status: .ok, body: Views.resultApplied(reply.answer), replayed: reply.replayed)
        default:
            preconditionFailure("\(self) answered \(outcome)")
        }
    }
}

/// An ingest call's answer: `replayed` when an earlier request with the same `Idempotency-Key`
/// gave it, which the `Idempotent-Replayed: true` header tells the client.
struct IngestAnswer {
    let status: HTTPResponse.Status
    let body: JSON
    let replayed: Bool
}
