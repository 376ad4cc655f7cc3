import SendPromptlyMail
import XCTest

/// Reading `smtp://` and `smtps://` URLs, and keeping the password out of every text.
final class SMTPConfigurationTests: XCTestCase {
    func testReadsEveryPartOfAnSMTPURL() throws {
        let configuration = try SMTPConfiguration(
            url: "smtp://alerts%2Buser:p%40ss%2Fw%3Ard@mail.example.com:2525?starttls=optional&ca_file=/etc/ssl/my%20ca.pem&helo=app.example.com")
        XCTAssertEqual(configuration.host, "mail.example.com")
        XCTAssertEqual(configuration.port, 2525)
        XCTAssertEqual(configuration.security, .startTLSIfAvailable)
        XCTAssertEqual(configuration.credentials, .init(username: "alerts+user", password: "p@ss/w:rd"))
        XCTAssertEqual(configuration.trustedCAFile, "/etc/ssl/my ca.pem")
        XCTAssertEqual(configuration.heloName, "app.example.com")
        XCTAssertEqual(configuration.stepTimeout, .seconds(30))
    }

    func testDefaultsRequireSTARTTLSOnPort587AndImplicitTLSOn465() throws {
        let plain = try SMTPConfiguration(url: "smtp://mail.example.com")
        XCTAssertEqual(plain.port, 587)
        XCTAssertEqual(plain.security, .startTLSRequired)
        XCTAssertNil(plain.credentials)
        XCTAssertNil(plain.trustedCAFile)
        XCTAssertEqual(try SMTPConfiguration(url: "smtp://mail.example.com:25/").security, .startTLSRequired)
        XCTAssertEqual(try SMTPConfiguration(url: "smtp://relay.internal?starttls=never").security, .none)
        XCTAssertEqual(try SMTPConfiguration(url: "SMTP://mail.example.com?starttls=required").security, .startTLSRequired)

        let implicit = try SMTPConfiguration(url: "smtps://user:pass@mail.example.com")
        XCTAssertEqual(implicit.port, 465)
        XCTAssertEqual(implicit.security, .implicitTLS)
        XCTAssertEqual(implicit.credentials?.username, "user")

        let v6 = try SMTPConfiguration(url: "smtp://[::1]:2525?starttls=never")
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(v6.port, 2525)
        XCTAssertEqual(v6.description, "smtp://[::1]:2525 (no TLS)")
    }

    func testInvalidURLsSayWhatIsWrongWithoutThePassword() {
        let cases = [
            "http://user:s3cret@mail.example.com": "scheme",
            "user:s3cret@mail.example.com": "scheme",
            "smtp://user:s3cret@": "host is missing",
            "smtp://user:s3cret@mail.example.com:0": "port",
            "smtp://user:s3cret@mail.example.com:70000": "port",
            "smtp://user:s3cret@mail.example.com:+25": "port",
            "smtp://user:s3cret@mail.example.com:smtp": "port",
            "smtp://user@mail.example.com": "needs a password",
            "smtp://:s3cret@mail.example.com": "must not be empty",
            "smtps://user:s3cret@mail.example.com?starttls=required": "smtps",
            "smtp://user:s3cret@mail.example.com?starttls=maybe": "required, optional or never",
            "smtp://user:s3cret@mail.example.com?s3cret=1": "unknown query item",
            "smtp://user:s3cret@mail.example.com/inbox": "path",
            "smtp://user:s3cret@mail.example.com#s3cret": "fragment",
            "smtp://user:s3cret%zz@mail.example.com": "%",
            "smtp://user:s3cret%FF@mail.example.com": "UTF-8",
            "smtp://user:s3cret@mail example.com": "host",
            "smtp://user:s3cret@[::1": "]",
            "smtp://user:s3cret@mail.example.com?ca_file=": "ca_file",
            "smtp://user:s3cret@mail.example.com?helo=a%20b": "helo",
            // A password with an unencoded / or ? splits the URL elsewhere; still no echo.
            "smtp://user:s3c/ret@mail.example.com": "path",
            "smtp://user:s3c?ret@mail.example.com": "port",
        ]
        for (url, expected) in cases {
            XCTAssertThrowsError(try SMTPConfiguration(url: url), url) { error in
                for text in ["\(error)", String(reflecting: error), error.localizedDescription] {
                    XCTAssertFalse(text.contains("s3c"), "\(url) → \(text)")
                }
                XCTAssertTrue("\(error)".hasPrefix("invalid SMTP URL: "), "\(error)")
                XCTAssertTrue("\(error)".contains(expected), "\(url) → \(error)")
            }
        }
    }

    func testDescriptionsNeverShowThePassword() throws {
        let configuration = try SMTPConfiguration(url: "smtps://alerts:hunter2%21@mail.example.com")
        XCTAssertEqual(configuration.credentials?.password, "hunter2!")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [
            "\(configuration)", String(reflecting: configuration), dumped,
            "\(configuration.credentials!)", String(reflecting: configuration.credentials!),
        ] {
            XCTAssertFalse(text.contains("hunter2"), text)
        }
        XCTAssertEqual("\(configuration)", "smtps://alerts@mail.example.com:465 (implicit TLS)")
        XCTAssertTrue(dumped.contains("alerts"))
    }

    func testClientRefusesAnUnusableConfiguration() throws {
        XCTAssertThrowsError(try SMTPClient(configuration: SMTPConfiguration(host: "h", port: 25, heloName: "two words")))
        XCTAssertThrowsError(
            try SMTPClient(configuration: SMTPConfiguration(host: "h", port: 25, trustedCAFile: "/nonexistent/ca.pem"))
        ) { error in
            XCTAssertEqual((error as? SMTPError)?.isPermanent, true)
        }
    }
}
