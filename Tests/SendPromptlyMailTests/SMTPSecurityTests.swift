import SendPromptlyMail
import XCTest

/// STARTTLS, implicit TLS and AUTH against a real server, with certificate verification on.
final class SMTPSecurityTests: XCTestCase {
    func testSTARTTLSWithTheCAFileVerifiesAndDelivers() async throws {
        let server = try await SMTPTestServer(TestCertificate.serverOptions + ["--starttls", "required"])
        let configuration = Fixtures.configuration(
            server, host: "localhost", security: .startTLSRequired, trustedCAFile: try TestCertificate.certificate)

        _ = try await SMTPClient(configuration: configuration).send(Fixtures.message())

        let received = try await server.message()
        XCTAssertTrue(received.tls)
    }

    func testSTARTTLSVerifiesAnIPAddressAgainstTheCertificate() async throws {
        let server = try await SMTPTestServer(TestCertificate.serverOptions + ["--starttls", "offered"])
        let configuration = Fixtures.configuration(
            server, host: "127.0.0.1", security: .startTLSIfAvailable, trustedCAFile: try TestCertificate.certificate)

        _ = try await SMTPClient(configuration: configuration).send(Fixtures.message())

        let received = try await server.message()
        XCTAssertTrue(received.tls)
    }

    func testSTARTTLSAgainstAnUntrustedCertificateFailsPermanently() async throws {
        let server = try await SMTPTestServer(TestCertificate.serverOptions + ["--starttls", "required"])
        let configuration = Fixtures.configuration(server, host: "localhost", security: .startTLSRequired)
        do {
            _ = try await SMTPClient(configuration: configuration).send(Fixtures.message())
            XCTFail("sent over an unverified connection")
        } catch let error as SMTPError {
            guard case .tlsFailed(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("CERTIFICATE_VERIFY_FAILED"), reason)
            XCTAssertTrue(error.isPermanent)
        }
        XCTAssertEqual(server.messageCount, 0)
    }

    func testRequiredSTARTTLSThatIsNotOfferedFailsBeforeAnythingIsSent() async throws {
        let server = try await SMTPTestServer()
        let configuration = Fixtures.configuration(server, security: .startTLSRequired, credentials: Fixtures.credentials)
        do {
            _ = try await SMTPClient(configuration: configuration).send(Fixtures.message())
            XCTFail("sent in plaintext")
        } catch let error as SMTPError {
            XCTAssertEqual(error, .startTLSUnavailable)
            XCTAssertTrue(error.isPermanent)
        }
        XCTAssertEqual(server.messageCount, 0)
    }

    func testOptionalSTARTTLSSendsInPlaintextButNeverTheCredentials() async throws {
        let server = try await SMTPTestServer()
        _ = try await SMTPClient(configuration: Fixtures.configuration(server, security: .startTLSIfAvailable))
            .send(Fixtures.message())
        let received = try await server.message()
        XCTAssertFalse(received.tls)

        let withCredentials = Fixtures.configuration(server, security: .startTLSIfAvailable, credentials: Fixtures.credentials)
        do {
            _ = try await SMTPClient(configuration: withCredentials).send(Fixtures.message())
            XCTFail("sent credentials in plaintext")
        } catch let error as SMTPError {
            guard case .authenticationUnavailable = error else { return XCTFail("\(error)") }
        }
    }

    func testImplicitTLSFromAURL() async throws {
        let server = try await SMTPTestServer(TestCertificate.serverOptions + ["--implicit-tls", "--auth", "\(Fixtures.user):\(Fixtures.password)"])
        let password = Fixtures.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var configuration = try SMTPConfiguration(
            url: "smtps://\(Fixtures.user):\(password)@localhost:\(server.port)?ca_file=\(try TestCertificate.certificate)")
        configuration.stepTimeout = .seconds(10)

        _ = try await SMTPClient(configuration: configuration).send(Fixtures.message())

        let received = try await server.message()
        XCTAssertTrue(received.tls)
        XCTAssertEqual(received.auth?.login, Fixtures.user)
    }

    func testImplicitTLSAgainstAnUntrustedCertificateFailsPermanently() async throws {
        let server = try await SMTPTestServer(TestCertificate.serverOptions + ["--implicit-tls"])
        let configuration = Fixtures.configuration(server, host: "localhost", security: .implicitTLS)
        do {
            _ = try await SMTPClient(configuration: configuration).send(Fixtures.message())
            XCTFail("sent over an unverified connection")
        } catch let error as SMTPError {
            guard case .tlsFailed = error else { return XCTFail("\(error)") }
        }
    }

    func testAuthPlainIsPreferredWhenOffered() async throws {
        let received = try await sendWithAuth(mechanisms: "PLAIN,LOGIN")
        XCTAssertEqual(received.auth?.mechanism, "PLAIN")
        XCTAssertEqual(received.auth?.login, Fixtures.user)
        XCTAssertTrue(received.tls)
    }

    func testAuthLoginWhenItIsTheOnlyMechanism() async throws {
        let received = try await sendWithAuth(mechanisms: "LOGIN")
        XCTAssertEqual(received.auth?.mechanism, "LOGIN")
        XCTAssertEqual(received.auth?.login, Fixtures.user)
    }

    func testWrongPasswordIsAPermanent535() async throws {
        for mechanisms in ["PLAIN", "LOGIN"] {
            let server = try await authServer(mechanisms: mechanisms)
            var configuration = authConfiguration(server)
            configuration.credentials?.password = "wrong password"
            do {
                _ = try await SMTPClient(configuration: configuration).send(Fixtures.message())
                XCTFail("sent with a wrong password")
            } catch let error as SMTPError {
                guard case .rejected(let command, let reply) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(command, "AUTH \(mechanisms)")
                XCTAssertEqual(reply.code, 535)
                XCTAssertEqual(reply.enhancedStatusCode, "5.7.8")
                XCTAssertTrue(error.isPermanent)
                XCTAssertFalse("\(error)".contains("wrong password"))
            }
            XCTAssertEqual(server.messageCount, 0)
        }
    }

    private func authServer(mechanisms: String) async throws -> SMTPTestServer {
        try await SMTPTestServer(TestCertificate.serverOptions + [
            "--starttls", "required", "--auth", "\(Fixtures.user):\(Fixtures.password)", "--auth-mechanisms", mechanisms,
        ])
    }

    private func authConfiguration(_ server: SMTPTestServer) -> SMTPConfiguration {
        Fixtures.configuration(
            server, host: "localhost", security: .startTLSRequired, credentials: Fixtures.credentials,
            trustedCAFile: try? TestCertificate.certificate)
    }

    private func sendWithAuth(mechanisms: String) async throws -> ReceivedMessage {
        let server = try await authServer(mechanisms: mechanisms)
        _ = try await SMTPClient(configuration: authConfiguration(server)).send(Fixtures.message())
        return try await server.message()
    }
}
