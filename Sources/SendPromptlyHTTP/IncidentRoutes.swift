import Hummingbird
import SendPromptlyCore

extension API {
    /// Events and incidents of the caller's project (section 4). Reads take any key of the
    /// project; resolve and reprocess take scope `manage`.
    func addIncidentRoutes(to router: some RouterMethods<some RequestContext>) {
        router.get("/api/v1/events/:event_id") { request, context in
            let access = try keyAccess(request)
            let id = try parameter("event_id", context)
            let event = try await read(on: access.project!) { state, now throws(EngineError) in
                try state.event(id, access: access, project: access.project!, now: now)
            }
            return Response.json(Views.event(event))
        }
        router.get("/api/v1/incidents") { request, _ in
            let access = try keyAccess(request)
            let query = request.uri.queryParameters
            let status = try query.get("status").map { raw throws(APIError) in
                guard let status = IncidentStatus(rawValue: raw) else {
                    throw APIError(.validation(field: "status", message: "status must be one of open, reprocessing, resolved"))
                }
                return status
            }
            let limit = try query.get("limit").map { raw throws(APIError) in
                guard let limit = Int(raw), (1...200).contains(limit) else {
                    throw APIError(.validation(field: "limit", message: "limit must be an integer from 1 to 200"))
                }
                return limit
            } ?? 50
            let cursor = query.get("cursor")
            let page = try await read(on: access.project!) { state, now throws(EngineError) in
                try state.incidents(status: status, limit: limit, cursor: cursor, access: access, project: access.project!, now: now)
            }
            return Response.json(.object([
                ("incidents", .array(page.incidents.map(Views.incident))),
                ("next_cursor", .optional(page.nextCursor)),
            ]))
        }
        router.get("/api/v1/incidents/:incident_id") { request, context in
            let access = try keyAccess(request)
            let id = try parameter("incident_id", context)
            let view = try await read(on: access.project!) { state, now throws(EngineError) in
                try state.incident(id, access: access, project: access.project!, now: now)
            }
            return Response.json(Views.incident(view))
        }
        router.post("/api/v1/incidents/:incident_id/resolve") { request, context in
            let access = try keyAccess(request)
            let id = try parameter("incident_id", context)
            let body = try await jsonBody(request, allowEmpty: true)
            let resolve: ResolveRequest
            do throws(EngineError) { resolve = try ResolveRequest(body: body.readableBytesView) } catch { throw APIError(error) }
            guard case .incident(let view) = try await execute(.audited(.resolve(access.project!, access, incident: id, note: resolve.note), by: .commandKey)) else {
                preconditionFailure("a resolve answers an incident")
            }
            return Response.json(Views.incident(view))
        }
        router.post("/api/v1/incidents/:incident_id/reprocess") { request, context -> Response in
            let access = try keyAccess(request)
            let id = try parameter("incident_id", context)
            guard case .replay(let view, let replayID) = try await execute(.audited(.reprocess(access.project!, access, incident: id), by: .commandKey)) else {
                preconditionFailure("a reprocess answers a replay")
            }
            return Response.json(
                .object([
                    ("replay_id", .string(replayID.rawValue)),
                    ("incident_id", .string(view.incident.id.rawValue)),
                    ("status", .string(view.incident.status.rawValue)),
                ]),
                status: .accepted)
        }
        router.post("/api/v1/incidents/reprocess") { request, _ -> Response in
            let access = try keyAccess(request)
            let body = try await jsonBody(request)
            let selection: ReprocessSelection
            do throws(EngineError) { selection = try ReprocessSelection(body: body.readableBytesView) } catch { throw APIError(error) }
            guard case .replays(let replays, let truncated) = try await execute(.audited(.reprocessMatching(access.project!, access, selection), by: .commandKey)) else {
                preconditionFailure("a bulk reprocess answers replays")
            }
            return Response.json(
                .object([
                    ("count", .integer(Int64(replays.count))),
                    ("truncated", .bool(truncated)),
                    ("replays", .array(replays.map { started in
                        .object([("incident_id", .string(started.incident.rawValue)), ("replay_id", .string(started.replay.rawValue))])
                    })),
                ]),
                status: .accepted)
        }
    }
}
