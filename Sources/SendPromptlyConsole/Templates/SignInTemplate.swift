extension ConsoleTemplates {
    /// The sign-in form: the admin token, the sign-in CSRF token, where to go afterwards.
    static let signIn = """
    {{<layout}}{{$content}}{{#page}}
    <section class="card narrow" aria-labelledby="sign-in-heading">
    <h1 id="sign-in-heading">Sign in</h1>
    {{#failure}}<p class="notice error" id="sign-in-error" role="alert">{{failure}}</p>{{/failure}}
    <form method="post" action="/console/sign-in">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <input type="hidden" name="next" value="{{next}}">
    <label for="token">Admin token</label>
    <input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
    <p><button type="submit" id="sign-in">Sign in</button></p>
    </form>
    <p class="muted">The token printed when the server first started, or the one given with <code>--admin-token</code>.</p>
    </section>
    {{/page}}{{/content}}{{/layout}}
    """

    /// A page with a heading and one paragraph: not found, refused, starting up.
    static let message = """
    {{<layout}}{{$content}}{{#page}}
    <section class="card">
    <h1>{{heading}}</h1>
    <p>{{text}}</p>
    <p><a href="{{linkPath}}">{{linkLabel}}</a></p>
    </section>
    {{/page}}{{/content}}{{/layout}}
    """
}
