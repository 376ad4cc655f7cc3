import Hummingbird
import SendPromptlyCore

extension API {
    /// The operator API (section 6): projects, keys and signing secrets, behind the admin token.
    func addAdminRoutes(to router: some RouterMethods<some RequestContext>) {
        let admin = router.group("/admin/v1")
        admin.post("/projects") { request, _ in
            try requireAdministrator(request)
            let change = try await settingsChange(request)
            let settings: ProjectSettings
            do throws(EngineError) { settings = try change.creating() } catch { throw APIError(error) }
            let created = try await engineAction { try await engine.createProject(settings, by: .adminToken) }
            var members = Views.project(created.project, includingSigningSecret: true)
            members += [("api_key", .string(created.apiKey)), ("key_id", .string(created.key.id.rawValue))]
            return Response.json(.object(members), status: .created)
        }
        admin.get("/projects") { request, _ in
            try requireAdministrator(request)
            let projects = await engine.projects()
            return Response.json(.object([
                ("projects", .array(projects.map { .object(Views.project($0, includingSigningSecret: false)) })),
            ]))
        }
        admin.get("/projects/:project_id") { request, context in
            try requireAdministrator(request)
            let id = try projectID(context)
            let project = try await read(on: id) { state, _ throws(EngineError) in try state.project(id: id) }
            return Response.json(.object(Views.project(project, includingSigningSecret: true)))
        }
        admin.patch("/projects/:project_id") { request, context in
            try requireAdministrator(request)
            let id = try projectID(context)
            let change = try await settingsChange(request)
            guard case .project(let project, _) = try await execute(.audited(.updateProject(id, change), by: .adminToken)) else {
                preconditionFailure("an update answers a project")
            }
            return Response.json(.object(Views.project(project, includingSigningSecret: false)))
        }
        admin.post("/projects/:project_id/keys") { request, context in
            try requireAdministrator(request)
            let id = try projectID(context)
            let body = try await jsonBody(request)
            let keyRequest: KeyRequest
            do throws(EngineError) { keyRequest = try KeyRequest(body: body.readableBytesView) } catch { throw APIError(error) }
            let created = try await engineAction { try await engine.createKey(project: id, keyRequest, by: .adminToken) }
            return Response.json(.object([("api_key", .string(created.apiKey))] + Views.key(created.key)), status: .created)
        }
        admin.get("/projects/:project_id/keys") { request, context in
            try requireAdministrator(request)
            let id = try projectID(context)
            let keys = try await read(on: id) { state, _ throws(EngineError) in try state.keys(project: id) }
            return Response.json(.object([("keys", .array(keys.map { .object(Views.key($0)) }))]))
        }
        admin.delete("/projects/:project_id/keys/:key_id") { request, context in
            try requireAdministrator(request)
            let id = try projectID(context)
            guard let keyID = KeyID(try parameter("key_id", context)) else {
                throw APIError(.notFound("no such key"))
            }
            guard case .key(let key) = try await execute(.audited(.revokeKey(id, keyID), by: .adminToken)) else {
                preconditionFailure("a revocation answers a key")
            }
            return Response.json(.object(Views.key(key)))
        }
        admin.post("/projects/:project_id/signing-secret/rotate") { request, context in
            try requireAdministrator(request)
            let id = try projectID(context)
            let secret = try await engineAction { try await engine.rotateSigningSecret(project: id, by: .adminToken) }
            return Response.json(.object([("signing_secret", .string(secret))]))
        }
    }

    private func projectID(_ context: some RequestContext) throws(APIError) -> ProjectID {
        guard let id = ProjectID(try parameter("project_id", context)) else {
            throw APIError(.notFound("no such project"))
        }
        return id
    }

    private func settingsChange(_ request: Request) async throws -> ProjectSettingsChange {
        let body = try await jsonBody(request)
        do {
            return try ProjectSettingsChange(body: body.readableBytesView, allowInsecureURLs: settings.allowInsecureRepairURLs)
        } catch {
            throw APIError(error)
        }
    }
}
