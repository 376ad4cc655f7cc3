import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SendPromptlyCore

/// The checks every API request passes before the engine sees it, in the order they run:
/// credential, `Accept`, `Content-Type`, body size, `Idempotency-Key`. Each failure is the
/// wire contract's error for it (section 2).
enum RequestGuards {
    static let payloadTooLarge = APIError(.contentTooLarge, "payload_too_large", "the body is larger than the server accepts")

    /// The bearer token of `Authorization`, or `unauthorized`: the scheme `Bearer` in any case
    /// after optional spaces, a space, then the token with leading whitespace dropped.
    ///
    /// Read byte by byte rather than split and lowercased, since every API request runs it; no
    /// scheme other than the ASCII letters of `bearer` lowercases to them, so this accepts what
    /// `lowercased() == "bearer"` accepts.
    static func bearerToken(_ headers: some RequestHeaderFields) throws(APIError) -> Substring {
        guard let header = headers.value(of: .authorization) else { throw .unauthorized }
        let value = Substring(header)
        let bytes = value.utf8
        let space = UInt8(ascii: " ")
        guard let schemeStart = bytes.firstIndex(where: { $0 != space }),
              let schemeEnd = bytes[schemeStart...].firstIndex(of: space),
              bytes[schemeStart..<schemeEnd].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
        else { throw .unauthorized }
        let rest = value[bytes.index(after: schemeEnd)...]
        guard !rest.isEmpty else { throw .unauthorized }
        // Most tokens start with a visible ASCII character; only the others need `Character`.
        guard let first = rest.utf8.first, first > space, first < 0x80 else { return rest.drop(while: \.isWhitespace) }
        return rest
    }

    /// `missing_accept_header` without an `Accept`, `not_acceptable` when it rules out JSON.
    static func requireAcceptsJSON(_ headers: some RequestHeaderFields) throws(APIError) {
        guard let accept = headers.value(of: .accept) else {
            throw APIError(.notAcceptable, "missing_accept_header", "send Accept: application/json")
        }
        // What nearly every client sends, decided without taking the header apart.
        if accept == "application/json" || accept == "*/*" { return }
        let values = headers.values(of: .accept)
        let acceptable = values.lazy.flatMap { $0.split(separator: ",") }.contains { range in
            let parameters = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parameters.first, ["application/json", "application/*", "*/*"].contains(type) else { return false }
            // A quality of zero means "not this type".
            let quality = parameters.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) }
            return quality != 0
        }
        guard acceptable else {
            throw APIError(.notAcceptable, "not_acceptable", "this API answers application/json only")
        }
    }

    /// `unsupported_media_type` unless the body is declared `application/json`. An empty body
    /// without a type passes when `allowEmpty` (an optional body).
    static func requireJSONContentType(_ headers: some RequestHeaderFields, allowEmpty: Bool = false) throws(APIError) {
        guard let contentType = headers.value(of: .contentType) else {
            if allowEmpty, headers.value(of: .contentLength).map({ $0 == "0" }) ?? true { return }
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send Content-Type: application/json")
        }
        // What nearly every client sends, decided without Foundation's trimming and lowercasing
        // (5% of an ingest request's CPU in a profile).
        if contentType == "application/json" { return }
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send Content-Type: application/json")
        }
    }

    /// Whether `Content-Length` already says the body is over `limit` bytes.
    static func declaresBodyOver(_ limit: Int, _ headers: some RequestHeaderFields) -> Bool {
        headers.value(of: .contentLength).flatMap { Int($0) }.map { $0 > limit } ?? false
    }

    /// The body, refused with `payload_too_large` past `limit` bytes before it is all read.
    static func body(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if declaresBodyOver(limit, request.headers) { throw payloadTooLarge }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw payloadTooLarge
        }
    }

    /// The request's `Idempotency-Key` and the fingerprint of route (`path`, the call's
    /// canonical path) and body.
    static func idempotencyToken(_ headers: some RequestHeaderFields, path: Substring, body: ByteBuffer) throws(APIError) -> IdempotencyToken {
        guard let key = headers.value(of: idempotencyKey), IdempotencyToken.isValidKey(Substring(key)) else {
            throw APIError(
                .badRequest, "missing_idempotency_key",
                "send an Idempotency-Key header of 1 to 255 visible ASCII characters")
        }
        var hasher = SHA256()
        var path = path
        path.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        body.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return IdempotencyToken(key: key, fingerprint: SecretHash(digest: hasher.finalize()))
    }

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
