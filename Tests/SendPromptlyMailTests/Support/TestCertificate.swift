import Foundation

/// A self-signed certificate for `localhost` and `127.0.0.1` with its key, made once per test
/// run by `openssl req -x509` in a temporary directory. It is its own CA: trusted when passed
/// as the client's CA file, untrusted otherwise.
enum TestCertificate {
    static let files: Result<(certificate: String, key: String), any Error> = Result {
        let directory = try temporaryDirectory("tls")
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", key, "-out", certificate,
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl req failed with status \(process.terminationStatus)") }
        return (certificate, key)
    }

    static var certificate: String { get throws { try files.get().certificate } }

    /// Server options that serve this certificate.
    static var serverOptions: [String] {
        get throws { ["--cert", try files.get().certificate, "--key", try files.get().key] }
    }
}
