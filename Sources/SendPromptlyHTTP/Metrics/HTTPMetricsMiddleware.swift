import Hummingbird

/// Counts every request the Hummingbird router answers in ``HTTPMetrics``, under the route
/// pattern it matched (``HTTPMetrics/unmatchedRoute`` for none) and the status it got. Added
/// first, so it sees the status the error middleware turned an error into; an error that still
/// escapes counts as the status it carries, or 500.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let status: Int
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            record(context, status, since: started)
            return response
        } catch {
            status = Int((error as? any HTTPResponseError)?.status.code ?? 500)
            record(context, status, since: started)
            throw error
        }
    }

    private func record(_ context: Context, _ status: Int, since started: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        metrics.record(
            route: context.endpointPath ?? HTTPMetrics.unmatchedRoute, status: status,
            nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
