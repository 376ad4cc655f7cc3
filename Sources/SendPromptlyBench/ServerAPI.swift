import Atomics
import Foundation
import NIOCore

/// The calls around the load that are not measured: creating the project (operator API,
/// section 6) and reading the project's incidents and events back (section 4). Answers are
/// parsed with Foundation's JSON: these calls are few, or made after the clock stopped.
public struct ServerAPI: Sendable {
    public let host: String

    public init(host: String) {
        self.host = host
    }

    /// A project made for this run.
    public struct Project: Sendable {
        public var id: String
        public var apiKey: String
    }

    /// Creates a project named `name` (its alerts go nowhere: no emails, no Slack).
    public func createProject(named name: String, adminToken: String, over connection: HTTPConnection) async throws -> Project {
        let body = try JSONSerialization.data(withJSONObject: ["name": name])
        let answer = try await call(
            "POST", "/admin/v1/projects", bearer: adminToken, body: String(decoding: body, as: UTF8.self), over: connection)
        guard answer.status == 201, let object = try? json(answer),
              let id = object["project_id"] as? String, let key = object["api_key"] as? String
        else {
            throw BenchError("creating the project answered \(answer.status): \(String(buffer: answer.body))")
        }
        return Project(id: id, apiKey: key)
    }

    /// Every incident of the project, any status, following `next_cursor`.
    public func incidents(apiKey: String, over connection: HTTPConnection) async throws -> [ObservedIncident] {
        var incidents: [ObservedIncident] = []
        var cursor: String?
        repeat {
            let query = cursor.map { "&cursor=\($0)" } ?? ""
            let answer = try await call("GET", "/api/v1/incidents?limit=200\(query)", bearer: apiKey, over: connection)
            guard answer.status == 200, let page = try? json(answer), let items = page["incidents"] as? [[String: Any]] else {
                throw BenchError("listing incidents answered \(answer.status): \(String(buffer: answer.body))")
            }
            for item in items {
                guard let id = item["id"] as? String, let provider = item["provider_event_id"] as? String,
                      let reason = item["reason"] as? String
                else { throw BenchError("an incident in the listing lacks id, provider_event_id or reason: \(item)") }
                incidents.append(ObservedIncident(id: id, providerEventID: provider, reason: reason))
            }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        return incidents
    }

    /// `GET /api/v1/events/{id}` for each of `eventIDs`, spread over `connections` (one request
    /// in flight on each); an id answered 404 maps to an event without a state.
    public func events(_ eventIDs: [String], apiKey: String, over connections: [HTTPConnection]) async throws -> [String: ObservedEvent] {
        let next = ManagedAtomic<Int>(0)
        return try await withThrowingTaskGroup(of: [String: ObservedEvent].self) { group in
            for connection in connections {
                group.addTask {
                    var found: [String: ObservedEvent] = [:]
                    while case let index = next.loadThenWrappingIncrement(ordering: .relaxed), index < eventIDs.count {
                        let id = eventIDs[index]
                        let answer = try await call("GET", "/api/v1/events/\(id)", bearer: apiKey, over: connection)
                        switch answer.status {
                        case 200:
                            let object = try? json(answer)
                            found[id] = ObservedEvent(state: object?["state"] as? String, incidentID: object?["incident_id"] as? String)
                        case 404:
                            found[id] = ObservedEvent(state: nil, incidentID: nil)
                        default:
                            throw BenchError("reading event \(id) answered \(answer.status): \(String(buffer: answer.body))")
                        }
                    }
                    return found
                }
            }
            var all: [String: ObservedEvent] = [:]
            for try await part in group { all.merge(part) { first, _ in first } }
            return all
        }
    }

    private func call(_ method: String, _ path: String, bearer: String, body: String? = nil, over connection: HTTPConnection) async throws -> HTTPResponse {
        let request = RequestTemplate(
            method: method, path: path, host: host, headers: [("Authorization", "Bearer \(bearer)"), ("Accept", "application/json")],
            body: body)
        return try await connection.request(request.buffer)
    }

    private func json(_ response: HTTPResponse) throws -> [String: Any]? {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
    }
}
