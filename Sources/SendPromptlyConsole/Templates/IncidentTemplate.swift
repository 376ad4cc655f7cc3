extension ConsoleTemplates {
    /// One incident: status, receipt, timeline, alerts, replays, Reprocess and Resolve.
    static let incident = """
    {{<layout}}{{$content}}{{#page}}
    <p><a href="/console/projects/{{projectID}}">{{projectName}}</a> › <a href="/console/projects/{{projectID}}/incidents">Incidents</a></p>
    <h1>Incident {{id}} <span class="badge {{status}}" id="incident-status">{{status}}</span></h1>
    {{#isReprocessing}}<p class="muted" role="status">A replay is in flight; this page reloads every 2 seconds.</p>{{/isReprocessing}}
    {{^isResolved}}
    <section class="card" aria-labelledby="actions-heading">
    <h2 id="actions-heading">Actions</h2>
    <form method="post" action="/console/projects/{{projectID}}/incidents/{{id}}/reprocess">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <p><button type="submit" id="reprocess">Reprocess</button>
    {{^hasRepairURL}}<span class="muted">The project has no repair URL yet: <a href="/console/projects/{{projectID}}">set one</a> first.</span>{{/hasRepairURL}}
    {{#hasRepairURL}}<span class="muted">Calls the project's repair endpoint with a signed callback.</span>{{/hasRepairURL}}</p>
    </form>
    <form method="post" action="/console/projects/{{projectID}}/incidents/{{id}}/resolve">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <label for="note">Note <span class="muted">(optional: what was done by hand)</span></label>
    <textarea id="note" name="note" maxlength="2000"></textarea>
    <p><button type="submit" class="secondary" id="resolve">Resolve</button></p>
    </form>
    </section>
    {{/isResolved}}
    <div class="grid">
    <section class="card" aria-labelledby="receipt-heading">
    <h2 id="receipt-heading">Receipt</h2>
    <dl class="facts">{{#receipt}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/receipt}}</dl>
    </section>
    <section class="card" aria-labelledby="incident-heading">
    <h2 id="incident-heading">Incident</h2>
    <dl class="facts">{{#incident}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/incident}}</dl>
    </section>
    </div>
    <section class="card" aria-labelledby="timeline-heading">
    <h2 id="timeline-heading">Timeline</h2>
    <div class="table-wrap"><table class="stack" id="timeline">
    <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
    <tbody>{{#timeline}}<tr><td data-label="When">{{at}}</td><td data-label="What">{{kind}}</td><td>{{detail}}</td></tr>{{/timeline}}</tbody>
    </table></div>
    </section>
    <div class="grid">
    <section class="card" aria-labelledby="replays-heading">
    <h2 id="replays-heading">Replays</h2>
    {{#replays}}
    <h3>{{name}}: {{status}}</h3>
    <p class="muted">requested {{queuedAt}}</p>
    <ul>{{#attempts}}<li>attempt {{number}} at {{at}}: status {{statusCode}}{{#error}}, {{error}}{{/error}}</li>{{/attempts}}</ul>
    {{/replays}}
    {{^hasReplays}}<p>No reprocess requested yet.</p>{{/hasReplays}}
    </section>
    <section class="card" aria-labelledby="alerts-heading">
    <h2 id="alerts-heading">Alerts</h2>
    {{#alerts}}
    <h3>{{name}}: {{status}}</h3>
    <p class="muted">queued {{queuedAt}}</p>
    <ul>{{#attempts}}<li>attempt {{number}} at {{at}}: status {{statusCode}}{{#error}}, {{error}}{{/error}}</li>{{/attempts}}</ul>
    {{/alerts}}
    {{^hasAlerts}}<p>No alert queued: the project has no alert recipients.</p>{{/hasAlerts}}
    </section>
    </div>
    {{/page}}{{/content}}{{/layout}}
    """
}
