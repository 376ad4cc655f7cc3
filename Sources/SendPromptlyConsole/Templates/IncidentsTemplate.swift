extension ConsoleTemplates {
    /// A project's incidents: counts per status, filters, the list and bulk reprocess.
    static let incidents = """
    {{<layout}}{{$content}}{{#page}}
    <p><a href="/console/projects/{{projectID}}">{{projectName}}</a></p>
    <h1>Incidents</h1>
    <ul class="counts" aria-label="Incidents per status">
    {{#counts}}<li><a href="{{path}}"{{#current}} aria-current="page"{{/current}}><strong>{{count}}</strong> {{label}}</a></li>{{/counts}}
    </ul>
    <section class="card" aria-labelledby="filter-heading">
    <h2 id="filter-heading">Filter</h2>
    {{#filterError}}<p class="notice error" role="alert">{{filterError}}</p>{{/filterError}}
    <form method="get" action="/console/projects/{{projectID}}/incidents">
    <div class="row">
    <div><label for="status">Status</label><select id="status" name="status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></div>
    <div><label for="reason">Reason</label><select id="reason" name="reason">{{#reasons}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/reasons}}</select></div>
    <div><label for="effect_type">Effect type</label><select id="effect_type" name="effect_type">{{#effectTypes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/effectTypes}}</select></div>
    <div><label for="from">Opened from (UTC)</label><input type="datetime-local" id="from" name="from" value="{{from}}"></div>
    <div><label for="until">Opened before (UTC)</label><input type="datetime-local" id="until" name="until" value="{{until}}"></div>
    <div><button type="submit">Apply</button></div>
    </div>
    </form>
    </section>
    <section class="card" aria-labelledby="list-heading">
    <h2 id="list-heading">{{matching}} matching{{#truncated}}, the first {{limit}} shown{{/truncated}}</h2>
    {{#hasRows}}
    <div class="table-wrap"><table class="stack">
    <thead><tr><th scope="col">Incident</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Effect</th><th scope="col">Provider event</th><th scope="col">Opened</th><th scope="col">Last error</th></tr></thead>
    <tbody>
    {{#rows}}
    <tr>
    <td data-label="Incident"><a href="/console/projects/{{projectID}}/incidents/{{id}}">{{id}}</a></td>
    <td data-label="Status"><span class="badge {{status}}">{{status}}</span></td>
    <td data-label="Reason">{{reason}}</td>
    <td data-label="Effect">{{effectType}}</td>
    <td data-label="Provider event">{{providerEventID}}{{#internalReference}}<br><span class="muted">{{internalReference}}</span>{{/internalReference}}</td>
    <td data-label="Opened">{{openedAt}}</td>
    <td data-label="Last error">{{lastError}}</td>
    </tr>
    {{/rows}}
    </tbody>
    </table></div>
    {{/hasRows}}
    {{^hasRows}}<p>No incident matches.</p>{{/hasRows}}
    </section>
    <section class="card" aria-labelledby="bulk-heading">
    <h2 id="bulk-heading">Reprocess in bulk</h2>
    <p>Requests a reprocess of every <strong>open</strong> incident that opened in the time range (at most 1000 per request), oldest first, paced per project.</p>
    <form method="post" action="/console/projects/{{projectID}}/incidents/reprocess">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <div class="row">
    <div><label for="bulk-effect">Effect type</label><select id="bulk-effect" name="effect_type">{{#bulkEffectTypes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/bulkEffectTypes}}</select></div>
    <div><label for="bulk-since">Opened since (UTC)</label><input type="datetime-local" id="bulk-since" name="since" required value="{{bulkSince}}"></div>
    <div><label for="bulk-until">Opened before (UTC, optional)</label><input type="datetime-local" id="bulk-until" name="until"></div>
    <div><button type="submit" id="bulk-reprocess">Reprocess matching incidents</button></div>
    </div>
    </form>
    </section>
    {{/page}}{{/content}}{{/layout}}
    """
}
