extension ConsoleTemplates {
    /// Every project's last hour: figures and three charts.
    static let overview = """
    {{<layout}}{{$content}}{{#page}}
    <h1>Overview</h1>
    <p class="muted">The last hour, minute by minute, up to {{generatedAt}}.</p>
    {{#projects}}
    <section class="card" aria-labelledby="overview-{{id}}">
    <h2 id="overview-{{id}}"><a href="/console/projects/{{id}}">{{name}}</a>{{#isTest}} <span class="badge">test</span>{{/isTest}}</h2>
    <ul class="counts">
    <li><strong>{{receiptsPerMinute}}</strong> receipts per minute</li>
    <li><a href="/console/projects/{{id}}/incidents?status=open"><strong>{{openIncidents}}</strong> open incidents</a></li>
    <li><strong>{{successRate}}</strong> success rate</li>
    <li><strong>{{p50}}</strong> p50 receipt to result</li>
    <li><strong>{{p99}}</strong> p99 receipt to result</li>
    </ul>
    <div class="grid">{{{receiptsChart}}}{{{successChart}}}{{{latencyChart}}}</div>
    </section>
    {{/projects}}
    {{^hasProjects}}<p class="card">No projects yet. <a href="/console/projects">Create the first one</a>.</p>{{/hasProjects}}
    {{/page}}{{/content}}{{/layout}}
    """
}
