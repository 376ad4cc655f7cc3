import Hummingbird

/// The console's cookies. Both are HttpOnly, SameSite=Strict, scoped to `/console`, and
/// Secure when the server's public URL is https. Neither has an expiry: the browser drops them
/// when it closes, and the server ends a session after 12 idle hours anyway.
enum SessionCookie {
    /// The session token.
    static let name = "sp_session"
    /// The sign-in form's CSRF token, before there is a session to hold one (the form posts it
    /// back in a hidden field and the two must match).
    static let signInName = "sp_sign_in"

    static func make(_ name: String, value: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, path: "/console", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// A cookie that tells the browser to forget `name` at once.
    static func cleared(_ name: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/console", secure: secure, httpOnly: true, sameSite: .strict)
    }
}
