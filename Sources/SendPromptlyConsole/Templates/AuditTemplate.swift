extension ConsoleTemplates {
    /// The audit trail: operator actions, newest first.
    static let audit = """
    {{<layout}}{{$content}}{{#page}}
    <h1>Audit trail</h1>
    <section class="card" aria-labelledby="audit-heading">
    <h2 id="audit-heading">The newest {{limit}} operator actions</h2>
    <p class="muted">Who changed a project, a key, a signing secret or an incident, and when. Secrets and changed values are never shown, only which fields changed.</p>
    {{#hasEntries}}
    <div class="table-wrap"><table class="stack" id="audit">
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Project</th><th scope="col">On</th><th scope="col">Detail</th></tr></thead>
    <tbody>
    {{#entries}}
    <tr>
    <td data-label="When">{{at}}</td>
    <td data-label="Who">{{actor}}</td>
    <td data-label="Action">{{action}}</td>
    <td data-label="Project"><a href="/console/projects/{{projectID}}">{{projectID}}</a></td>
    <td data-label="On">{{target}}</td>
    <td data-label="Detail">{{detail}}</td>
    </tr>
    {{/entries}}
    </tbody>
    </table></div>
    {{/hasEntries}}
    {{^hasEntries}}<p>No operator action yet.</p>{{/hasEntries}}
    </section>
    {{/page}}{{/content}}{{/layout}}
    """
}
