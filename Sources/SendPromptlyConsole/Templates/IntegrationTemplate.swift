extension ConsoleTemplates {
    /// The Integration Test screen: the key, the curl commands, the live checklist.
    static let integration = """
    {{<layout}}{{$content}}{{#page}}
    <p><a href="/console/projects/{{projectID}}">{{projectName}}</a></p>
    <h1>Integration Test</h1>
    <p>Run these commands from the machine of your webhook handler (or paste them into a terminal) and watch the checklist: each step turns green once this server has seen it for {{projectName}}.</p>
    {{#revealed}}
    <section class="card" aria-labelledby="revealed-heading">
    <h2 id="revealed-heading">API key {{label}}</h2>
    <p>Shown this once, and already filled into the commands below. Copy it now.</p>
    <p><code class="secret" id="revealed-key">{{value}}</code></p>
    <p><button type="button" class="secondary" data-copy="revealed-key">Copy key</button></p>
    </section>
    {{/revealed}}
    {{^revealed}}<p class="notice">The commands read the project's key from <code>{{placeholder}}</code>: <code>export SENDPROMPTLY_API_KEY=sk_...</code> first, or <a href="/console/projects/{{projectID}}">create a key</a> and come back.</p>{{/revealed}}
    <section class="card" aria-labelledby="checklist-heading">
    <h2 id="checklist-heading">Checklist</h2>
    <iframe id="checklist" title="Integration checklist" src="/console/projects/{{projectID}}/integration/checklist" style="width:100%;height:13rem;border:0"></iframe>
    <p>Then open the incident, press <strong>Reprocess</strong> and see it resolved: <a href="/console/projects/{{projectID}}/incidents">incidents of {{projectName}}</a>.</p>
    </section>
    <section class="card" aria-labelledby="commands-heading">
    <h2 id="commands-heading">Commands</h2>
    <p class="muted">Against {{baseURL}}, for a new test event; reload the page for another one.</p>
    {{#commands}}
    <h3>{{heading}}</h3>
    <p>{{explanation}}</p>
    <pre id="{{id}}">{{text}}</pre>
    <p><button type="button" class="secondary" data-copy="{{id}}">Copy command</button></p>
    {{/commands}}
    </section>
    {{/page}}{{/content}}{{/layout}}
    """

    /// The checklist, a document of its own shown in a frame of the Integration Test screen:
    /// it reloads itself every 2 seconds until every step is done.
    static let checklist = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    {{#page.refresh}}<meta http-equiv="refresh" content="2">{{/page.refresh}}
    <title>{{title}}</title>
    <style>
    body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330}
    ol{padding-left:1.5rem;margin:.25rem 0}
    li{margin:.4rem 0}
    .done{color:#17703a;font-weight:600}
    .waiting{color:#566074}
    </style>
    </head>
    <body>
    {{#page}}
    <ol>
    {{#steps}}<li id="{{id}}" class="{{#done}}done{{/done}}{{^done}}waiting{{/done}}" data-done="{{done}}">{{#done}}✓{{/done}}{{^done}}○{{/done}} {{label}} <span>({{#done}}done{{/done}}{{^done}}waiting{{/done}})</span></li>{{/steps}}
    </ol>
    {{^refresh}}<p class="done">Every step passed: the integration works end to end.</p>{{/refresh}}
    {{#refresh}}<p class="waiting">Checking every 2 seconds.</p>{{/refresh}}
    {{/page}}
    </body>
    </html>
    """
}
