import LibFuzzerDriver
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import SendPromptlyCore
@testable import SendPromptlyHTTP

/// One input: the bytes a client sends on one connection.
///
/// They go through the HTTP/1 half of the server's pipeline as Hummingbird sets it up (NIO's
/// request decoder with Hummingbird's default header limits, then the conversion to HTTP types),
/// and every request that comes out whole goes through the API's request guards in the order
/// the routes run them, then the receipt and result validators. A decoding error is what the
/// server answers with a 400 and a closed connection: fine. A trap anywhere is not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
        var limits = NIOHTTPDecoderLimitConfiguration()
        let defaults = HTTP1Channel.Configuration().httpDecoder
        limits.maxHeaderFieldSize = defaults.maxHeaderFieldSize
        limits.maxHeaderListSize = defaults.maxHeaderListSize
        limits.maxHeaderFieldCount = defaults.maxHeaderFieldCount
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
    } catch {
        fatalError("pipeline setup failed: \(error)")
    }
    let bytes = data.map { UnsafeBufferPointer(start: $0, count: count) } ?? UnsafeBufferPointer(start: nil, count: 0)
    var head: HTTPRequest?
    var body = ByteBuffer()
    do {
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        while let part = try channel.readInbound(as: HTTPRequestPart.self) {
            switch part {
            case .head(let request):
                head = request
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                if let head { guardRequest(head, body: body) }
                head = nil
            }
        }
    } catch {
        // A malformed request: the server answers 400 and closes.
    }
    return 0
}

/// The checks of `RequestGuards` in the order `APIGateMiddleware` and the ingest routes run
/// them, each failure being the wire contract's error.
func guardRequest(_ head: HTTPRequest, body: ByteBuffer) {
    let request = Request(head: head, body: RequestBody(buffer: body))
    _ = request.uri.path
    _ = request.uri.queryParameters.count
    let headers = request.headers
    _ = try? RequestGuards.requireAcceptsJSON(headers)
    _ = try? RequestGuards.bearerToken(headers)
    _ = try? RequestGuards.requireJSONContentType(headers)
    _ = try? RequestGuards.requireJSONContentType(headers, allowEmpty: true)
    _ = RequestGuards.declaresBodyOver(16 * 1024, headers)
    _ = try? RequestGuards.idempotencyToken(headers, path: Substring(request.uri.path), body: body)
    _ = IngestCall.match(Substring(request.uri.path))
    _ = try? Receipt(body: body.readableBytesView)
    _ = try? ResultReport(body: body.readableBytesView)
}

// The executable's entry: libFuzzer's driver, with the command line and the target above.
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzHTTPRequest))
