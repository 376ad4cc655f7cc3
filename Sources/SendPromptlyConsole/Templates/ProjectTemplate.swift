extension ConsoleTemplates {
    /// A project: links to its incidents and Integration Test, its settings, keys and signing
    /// secret.
    static let project = """
    {{<layout}}{{$content}}{{#page}}
    <h1>{{name}}</h1>
    <p class="muted">{{id}}</p>
    <ul class="counts">
    <li><a href="/console/projects/{{id}}/incidents?status=open"><strong>{{openIncidents}}</strong> open incidents</a></li>
    <li><strong>{{pendingReceipts}}</strong> receipts waiting for a result</li>
    <li><a href="/console/projects/{{id}}/incidents"><strong>All</strong> incidents</a></li>
    <li><a href="/console/projects/{{id}}/integration"><strong>Integration Test</strong> screen</a></li>
    </ul>
    {{#revealed}}
    <section class="card" aria-labelledby="revealed-heading">
    <h2 id="revealed-heading">New API key: {{label}}</h2>
    <p>Copy it now. It is not stored in clear and will not be shown again.</p>
    <p><code class="secret" id="revealed-key">{{value}}</code></p>
    <p><button type="button" class="secondary" data-copy="revealed-key">Copy key</button></p>
    </section>
    {{/revealed}}
    <section class="card" aria-labelledby="settings-heading">
    <h2 id="settings-heading">Settings</h2>
    <form method="post" action="/console/projects/{{id}}">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <div class="row">
    <div><label for="name">Name</label><input type="text" id="name" name="name" required maxlength="200" value="{{name}}"></div>
    <div><label for="mode">Mode</label><select id="mode" name="mode">{{#modes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/modes}}</select></div>
    <div><label for="default_timeout_minutes">Default timeout (minutes)</label><input type="number" id="default_timeout_minutes" name="default_timeout_minutes" min="1" max="10080" value="{{defaultTimeoutMinutes}}"></div>
    </div>
    <label for="repair_url">Repair URL <span class="muted">(blank: none)</span></label>
    <input type="url" id="repair_url" name="repair_url" value="{{repairURL}}">
    <label for="alert_emails">Alert emails <span class="muted">(separated by commas; blank: none)</span></label>
    <input type="text" id="alert_emails" name="alert_emails" value="{{alertEmails}}">
    <label for="slack_webhook_url">Slack webhook URL <span class="muted">(blank: none)</span></label>
    <input type="url" id="slack_webhook_url" name="slack_webhook_url" value="{{slackWebhookURL}}">
    <p><button type="submit" id="save-settings">Save settings</button></p>
    </form>
    </section>
    <section class="card" aria-labelledby="keys-heading">
    <h2 id="keys-heading">API keys</h2>
    <div class="table-wrap"><table class="stack">
    <thead><tr><th scope="col">Label</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead>
    <tbody>
    {{#keys}}
    <tr>
    <td data-label="Label">{{label}}<br><span class="muted">{{id}}</span></td>
    <td data-label="Scope">{{scope}}</td>
    <td data-label="Created">{{createdAt}}</td>
    <td data-label="Last used">{{#lastUsedAt}}{{lastUsedAt}}{{/lastUsedAt}}{{^lastUsedAt}}never{{/lastUsedAt}}</td>
    <td data-label="State">{{#revokedAt}}revoked {{revokedAt}}{{/revokedAt}}{{^revokedAt}}
    <form class="inline" method="post" action="/console/projects/{{page.id}}/keys/{{id}}/revoke">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <button type="submit" class="danger" aria-label="Revoke key {{label}}">Revoke</button>
    </form>{{/revokedAt}}</td>
    </tr>
    {{/keys}}
    </tbody>
    </table></div>
    <h3>Create a key</h3>
    <form method="post" action="/console/projects/{{id}}/keys">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <div class="row">
    <div><label for="key-label">Label</label><input type="text" id="key-label" name="label" required maxlength="100"></div>
    <div><label for="key-scope">Scope</label><select id="key-scope" name="scope">{{#scopes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/scopes}}</select></div>
    <div><button type="submit" id="create-key">Create key</button></div>
    </div>
    <p class="muted">ingest: receipts, results and reads. manage: also reprocess and resolve.</p>
    </form>
    </section>
    <section class="card" aria-labelledby="secret-heading">
    <h2 id="secret-heading">Signing secret</h2>
    <p>Repair callbacks are signed with it (<code>X-SendPromptly-Signature</code>).</p>
    <details><summary>Show the signing secret</summary>
    <p><code class="secret" id="signing-secret">{{signingSecret}}</code>
    <button type="button" class="secondary" data-copy="signing-secret">Copy secret</button></p>
    </details>
    <form method="post" action="/console/projects/{{id}}/signing-secret/rotate">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <p><button type="submit" class="secondary" id="rotate-secret">Rotate the signing secret</button></p>
    <p class="muted">The previous secret keeps signing alongside the new one for 24 hours.</p>
    </form>
    </section>
    {{/page}}{{/content}}{{/layout}}
    """
}
