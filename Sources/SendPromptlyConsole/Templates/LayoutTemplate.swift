extension ConsoleTemplates {
    /// The frame of every page: header with navigation and sign-out, the notice, the content
    /// block, the styles and the copy-button script. Narrow screens stack the header and the
    /// grids; every control shows a visible focus ring.
    static let layout = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    {{#chrome.refreshSeconds}}<meta http-equiv="refresh" content="{{chrome.refreshSeconds}}">{{/chrome.refreshSeconds}}
    <title>{{title}} · SendPromptly console</title>
    <style>
    :root{--fg:#1d2330;--muted:#566074;--line:#d5dae3;--bg:#f5f6f8;--card:#fff;--accent:#1f5fbf;--ok:#17703a;--bad:#b3261e;--warn:#8a5a00}
    *{box-sizing:border-box}
    body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
    header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1.25rem;background:#14213d;color:#fff}
    header a{color:#fff}
    .brand{font-weight:700;text-decoration:none;margin-right:auto}
    nav a{margin-right:1rem}
    nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
    main{max-width:74rem;margin:0 auto;padding:1.25rem}
    h1{font-size:1.5rem;margin:.25rem 0 1rem}
    h2{font-size:1.15rem;margin:.25rem 0 .75rem}
    .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem}
    .narrow{max-width:28rem;margin:2rem auto}
    .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(19rem,1fr));gap:1rem}
    .row{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:flex-end}
    .row>*{flex:1 1 12rem}
    .table-wrap{overflow-x:auto}
    table{width:100%;border-collapse:collapse}
    th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
    dl.facts dt{font-weight:600}
    dl.facts dd{margin:0;overflow-wrap:anywhere}
    .counts{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:0 0 1rem;padding:0;list-style:none}
    .counts strong{font-size:1.3rem;display:block}
    label{display:block;font-weight:600;margin:.5rem 0 .2rem}
    input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #8d96a7;border-radius:4px;background:#fff;color:inherit;width:100%}
    textarea{min-height:4.5rem}
    button,.button{font:inherit;padding:.45rem .9rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
    button.secondary{background:#fff;color:var(--accent)}
    button.danger{background:var(--bad);border-color:var(--bad)}
    header button{background:transparent;border-color:#fff}
    form.inline{display:inline}
    a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
    .skip{position:absolute;left:-9999px}
    .skip:focus{left:1rem;top:.5rem;background:#fff;color:#000;padding:.4rem .8rem;z-index:2}
    .notice{padding:.6rem .9rem;border-radius:6px;background:#e6f3ea;border:1px solid #96c9a5;overflow-wrap:anywhere}
    .notice.error{background:#fbe9e8;border-color:#e0a19c}
    .secret{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
    .badge{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85em;border:1px solid currentColor;white-space:nowrap}
    .open{color:var(--bad)}
    .reprocessing{color:var(--warn)}
    .resolved{color:var(--ok)}
    .muted{color:var(--muted)}
    pre{background:#101828;color:#e8edf5;padding:.75rem;border-radius:6px;overflow-x:auto;white-space:pre;margin:.25rem 0}
    ol.checklist{padding-left:1.25rem}
    ol.checklist li{margin:.35rem 0}
    .done{color:var(--ok);font-weight:600}
    .waiting{color:var(--muted)}
    svg{display:block;width:100%;height:auto;max-width:36rem}
    @media (max-width:40rem){main{padding:.75rem}header{padding:.6rem .75rem}dl.facts{grid-template-columns:1fr}th,td{padding:.3rem}
    table.stack thead{display:none}table.stack tr{display:block;padding:.4rem 0;border-bottom:1px solid var(--line)}
    table.stack td{display:block;border:0;padding:.1rem 0;overflow-wrap:anywhere}table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
    </style>
    </head>
    <body>
    <a class="skip" href="#main">Skip to content</a>
    <header>
    <a class="brand" href="/console">SendPromptly</a>
    {{#chrome.signedIn}}
    <nav aria-label="Console">
    <a href="/console"{{#chrome.isOverview}} aria-current="page"{{/chrome.isOverview}}>Overview</a>
    <a href="/console/projects"{{#chrome.isProjects}} aria-current="page"{{/chrome.isProjects}}>Projects</a>
    <a href="/console/audit"{{#chrome.isAudit}} aria-current="page"{{/chrome.isAudit}}>Audit trail</a>
    </nav>
    <form class="inline" method="post" action="/console/sign-out">
    <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
    <button type="submit" id="sign-out">Sign out</button>
    </form>
    {{/chrome.signedIn}}
    </header>
    <main id="main">
    {{#chrome.notice}}<p class="notice{{#isError}} error{{/isError}}" id="notice" role="{{#isError}}alert{{/isError}}{{^isError}}status{{/isError}}">{{text}}</p>{{/chrome.notice}}
    {{$content}}{{/content}}
    </main>
    <script>\(copyScript)</script>
    </body>
    </html>
    """

    /// Copy buttons (`data-copy` names the element whose text is copied). The only script of
    /// the console; the content security policy allows it by its hash.
    static let copyScript = """
    document.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-copy]');
      if (!button) return;
      var source = document.getElementById(button.getAttribute('data-copy'));
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = 'Copied';
      }, function () {
        window.getSelection().selectAllChildren(source);
        button.textContent = 'Press Ctrl+C to copy';
      });
    });
    """
}
