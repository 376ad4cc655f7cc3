import SendPromptlyCore

/// A project created in a shard with one `manage` key: what shard tests start from.
struct TestProject {
    let id: ProjectID
    let access: Access

    static func create(in state: ShardState, id: String = "prj_01E8RESFY7D5KG1HDN796QFP5G", name: String = "Shop", now: Timestamp) -> TestProject {
        let projectID = ProjectID(id)!
        let apiKey = SecretFormat.apiKey()
        _ = try! state.createProject(
            id: projectID, settings: ProjectSettings(name: name), signingSecret: SecretFormat.signingSecret(),
            key: NewKey(label: "default", scope: .manage, hash: SecretHash(of: apiKey)), now: now)
        return TestProject(id: projectID, access: .apiKey(project: projectID, hash: SecretHash(of: apiKey)))
    }
}
