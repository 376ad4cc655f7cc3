import Foundation
import HummingbirdTLS
import NIOSSL

/// `--tls-cert` and `--tls-key`: the server's certificate chain and private key, PEM files,
/// loaded and checked before the server starts, so that a bad pair stops the start with one
/// line instead of failing every handshake later.
enum TLSFiles {
    /// The server's TLS configuration with the pair, or nil when neither flag is set.
    ///
    /// - Throws: ``StartupError`` when only one of the two is set, a file is unreadable or not
    ///   PEM, or the key does not belong to the certificate.
    static func configuration(certificatePath: String?, keyPath: String?) throws -> TLSConfiguration? {
        switch (certificatePath, keyPath) {
        case (nil, nil):
            return nil
        case (nil, _?):
            throw StartupError("--tls-key needs --tls-cert")
        case (_?, nil):
            throw StartupError("--tls-cert needs --tls-key")
        case (let certificatePath?, let keyPath?):
            return try configuration(certificatePath: certificatePath, keyPath: keyPath)
        }
    }

    private static func configuration(certificatePath: String, keyPath: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            try requireReadable(certificatePath, flag: "--tls-cert")
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            guard !chain.isEmpty else { throw StartupError("--tls-cert \(certificatePath) holds no PEM certificate") }
        } catch let error as StartupError {
            throw error
        } catch {
            throw StartupError("--tls-cert \(certificatePath) is not a PEM certificate: \(error)")
        }
        let key: NIOSSLPrivateKey
        do {
            try requireReadable(keyPath, flag: "--tls-key")
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch let error as StartupError {
            throw error
        } catch {
            throw StartupError("--tls-key \(keyPath) is not a PEM private key: \(error)")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            // Building a context is where BoringSSL compares the key with the certificate.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw StartupError("--tls-key \(keyPath) does not match the certificate in --tls-cert \(certificatePath)")
        }
        return configuration
    }

    private static func requireReadable(_ path: String, flag: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw StartupError("\(flag) \(path) cannot be read")
        }
    }
}
