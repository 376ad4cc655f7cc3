import Hummingbird
import Logging
import NIOHTTP1

/// Turns every failure into the wire contract's error shape: the router's unknown route into
/// `not_found`, a body over the limit into `payload_too_large`, a body cut short (the client
/// went away, or the request timeout closed the connection) into `invalid_json`, and anything
/// unexpected into `internal_error` (logged with the request, never with its credentials or body).
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError where error.status == .notFound {
            throw APIError.routeNotFound
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw RequestGuards.payloadTooLarge
        } catch let error as HTTPParserError {
            // Not the server's failure, and the connection is usually gone: no error log.
            context.logger.debug("request body cut short", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.badRequest, "invalid_json", "the body ended before it was complete")
        } catch {
            context.logger.error(
                "request failed",
                metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            throw APIError.internalError
        }
    }
}
