/// The console's Mustache templates, kept as Swift string constants (one file per page under
/// `Templates/`) rather than as package resources: SwiftPM places resources in a bundle
/// directory beside the executable on Linux, and the server must stay one self-contained
/// binary. Pages inherit `layout` and fill its `content` block. `{{x}}` escapes HTML; the only
/// triple-brace values are the SVG charts, which ``Chart`` builds and escapes itself.
enum ConsoleTemplates {
    static let all: [(String, String)] = [
        ("layout", layout),
        ("sign-in", signIn),
        ("message", message),
        ("overview", overview),
        ("projects", projects),
        ("project", project),
        ("incidents", incidents),
        ("incident", incident),
        ("integration", integration),
        ("checklist", checklist),
        ("audit", audit),
    ]
}
