extension ConsoleTemplates {
    /// Every project, and the form that creates one.
    static let projects = """
    {{<layout}}{{$content}}{{#page}}
    <h1>Projects</h1>
    <section class="card" aria-labelledby="projects-heading">
    <h2 id="projects-heading">All projects</h2>
    {{#hasProjects}}
    <div class="table-wrap"><table class="stack">
    <thead><tr><th scope="col">Name</th><th scope="col">Mode</th><th scope="col">Open incidents</th><th scope="col">Pending receipts</th><th scope="col">Created</th></tr></thead>
    <tbody>
    {{#projects}}
    <tr>
    <td data-label="Name"><a href="/console/projects/{{id}}">{{name}}</a><br><span class="muted">{{id}}</span></td>
    <td data-label="Mode">{{mode}}</td>
    <td data-label="Open incidents"><a href="/console/projects/{{id}}/incidents?status=open">{{openIncidents}}</a></td>
    <td data-label="Pending receipts">{{pendingReceipts}}</td>
    <td data-label="Created">{{createdAt}}</td>
    </tr>
    {{/projects}}
    </tbody>
    </table></div>
    {{/hasProjects}}
    {{^hasProjects}}<p>No projects yet: create the first one below.</p>{{/hasProjects}}
    </section>
    <section class="card" aria-labelledby="create-heading">
    <h2 id="create-heading">Create a project</h2>
    <form method="post" action="/console/projects">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <div class="row">
    <div><label for="name">Name</label><input type="text" id="name" name="name" required maxlength="200"></div>
    <div><label for="mode">Mode</label><select id="mode" name="mode">{{#modes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/modes}}</select></div>
    <div><label for="default_timeout_minutes">Default timeout (minutes)</label><input type="number" id="default_timeout_minutes" name="default_timeout_minutes" min="1" max="10080" value="30"></div>
    </div>
    <label for="repair_url">Repair URL <span class="muted">(optional; https://, or http:// to loopback)</span></label>
    <input type="url" id="repair_url" name="repair_url" placeholder="https://shop.example/sendpromptly/repair">
    <label for="alert_emails">Alert emails <span class="muted">(optional; separated by commas)</span></label>
    <input type="text" id="alert_emails" name="alert_emails" placeholder="ops@shop.example">
    <label for="slack_webhook_url">Slack webhook URL <span class="muted">(optional)</span></label>
    <input type="url" id="slack_webhook_url" name="slack_webhook_url" placeholder="https://hooks.slack.com/services/...">
    <p><button type="submit" id="create-project">Create project</button></p>
    </form>
    </section>
    {{/page}}{{/content}}{{/layout}}
    """
}
