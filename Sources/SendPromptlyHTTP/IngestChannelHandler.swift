#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import SendPromptlyCore
import SendPromptlyEngine

/// Answers receipts and results on the event loop that read them, before the router sees
/// them: no Swift task, no body iterator, one hop at most (to the loop of the project's
/// shard), and the answer written from the journal's completion. This is the ingest hot path.
///
/// Every other request, and any request that arrives while one passed to the router is still
/// unanswered, goes on to the router unchanged, so answers leave in the order their requests
/// came (HTTP/1.1 pipelining) and the router's ingest routes answer exactly the same way. Until
/// the engine is ready, everything goes to the router, which answers 503.
///
/// Parts that arrive while an answer is pending wait here; once a whole request waits, the
/// handler stops asking the channel for more until the answer is written. An error from below
/// (a malformed request after this one, say) waits too, and is passed on once the answers to
/// the requests before it are written: the router answers it (400, or 431 for headers too
/// large) and closes, which must not overtake them.
///
/// It sits under the HTTP-types codec and reads and writes NIO's own HTTP/1 parts: converting
/// a request head to HTTP types (parsing its target with `URLComponents` on the way) and the
/// answer back, through the handlers between, cost about a tenth of a receipt. So the idle
/// time-out, quiescing and the request deadline are kept below it (``ConnectionStateHandler``,
/// ``RequestEndSignalHandler``), where they see its requests as well as the router's.
///
/// A request that ends the connection (`Connection: close`, or HTTP/1.0 without keep-alive) is
/// the last one read: NIO's decoder refuses any request after it (RFC 9112 §9.6), and the
/// connection closes after its answer, with the decoder's error for what followed it dropped.
/// One forwarded to the router carries `Connection: close`, the only way the router (HTTP types
/// have no version) knows to close after it. Every answer, the router's too, tells the client
/// what becomes of the connection as RFC 9112 §9.6 and C.2.2 ask: `Connection: close` on the
/// last one, `Connection: keep-alive` to an HTTP/1.0 client that asked to keep it.
final class IngestChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the handler needs from the server, shared by every connection.
    struct Front: Sendable {
        let slot: EngineSlot
        let readiness: Readiness
        let maximumBodyBytes: Int
        let metrics: HTTPMetrics
        let logger: Logger
    }

    private enum State: Equatable {
        /// Between requests: the next head decides who answers it.
        case idle
        /// Reading the body of an ingest call this handler answers.
        case reading
        /// Waiting for the engine's answer; later parts wait in `waiting`.
        case answering
        /// The router answers; `outstanding` requests went to it whose answer has not ended.
        case forwarding(outstanding: Int)
    }

    /// The ingest call being read or answered: a class, so that the steps of an answer share
    /// one reference where a struct of this size was copied and destroyed at each (2% of a
    /// receipt's samples).
    private final class Call {
        let call: IngestCall
        let route: String
        let engine: Engine
        let head: HTTPRequestHead
        let path: Substring
        let started = ContinuousClock.now
        var body: ByteBuffer?
        var bodyTooLarge = false

        init(call: IngestCall, route: String, engine: Engine, head: HTTPRequestHead, path: Substring) {
            (self.call, self.route, self.engine, self.head, self.path) = (call, route, engine, head, path)
        }
    }

    private let front: Front
    private var state = State.idle
    private var call: Call?
    private var waiting = CircularBuffer<HTTPServerRequestPart>()
    private var heldError: (any Error)?
    private var readHeld = false
    private var isActive = true
    private var date = (second: Int64(0), value: "")
    private var apiKeys = APIKeyHashCache()
    /// The metric handles of this connection's last answer: most answers repeat its route and status.
    private var recorder: HTTPMetrics.Recorder?
    /// The answer's body as it is serialised, emptied (keeping its capacity) for each answer.
    private var answerBytes: [UInt8] = []
    /// For each request forwarded to the router and not answered yet, in order, the
    /// `Connection` header its answer must carry (``connectionHeader(closing:version:)``).
    private var forwardedConnectionHeaders = CircularBuffer<String?>()

    init(front: Front) {
        self.front = front
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if state == .answering {
            waiting.append(part)
        } else {
            handle(part, context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        // A pipelining client waits for its earlier answers before this one reads more.
        if state == .answering, !waiting.isEmpty {
            readHeld = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .forwarding(let outstanding) = state else { return context.write(data, promise: promise) }
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            guard let connection = forwardedConnectionHeaders.popFirst() else { break }
            if let connection { head.headers.replaceOrAdd(name: "Connection", value: connection) }
            return context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            state = outstanding == 1 ? .idle : .forwarding(outstanding: outstanding - 1)
        case .head, .body:
            break
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if state == .answering {
            heldError = error
        } else {
            context.fireErrorCaught(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        isActive = false
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if let call = ingestCall(head) {
                self.call = call
                state = .reading
            } else {
                state = .forwarding(outstanding: 1)
                forward(head, context: context)
            }
        case (.reading, .body(var buffer)):
            guard let call, !call.bodyTooLarge else { return }
            if (call.body?.readableBytes ?? 0) + buffer.readableBytes > front.maximumBodyBytes {
                call.bodyTooLarge = true
                call.body = nil
            } else if call.body == nil {
                call.body = buffer
            } else {
                call.body!.writeBuffer(&buffer)
            }
        case (.reading, .end):
            state = .answering
            answer(context: context)
        case (.forwarding(let outstanding), .head(let head)):
            state = .forwarding(outstanding: outstanding + 1)
            forward(head, context: context)
        default:
            // The router's end of a forwarded request, or a part out of order, which the
            // router turns into the connection's error.
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// Passes a request's head on to the router; one that ends the connection says so in the
    /// only way the router sees (HTTP types have no version).
    private func forward(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        var head = head
        let closing = !head.isKeepAlive
        if closing { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        forwardedConnectionHeaders.append(Self.connectionHeader(closing: closing, version: head.version))
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// The `Connection` header of the answer to a request of `version`: `close` when the
    /// connection ends with it, `keep-alive` for an HTTP/1.0 client that keeps it (it would
    /// assume otherwise); nil: none needed.
    private static func connectionHeader(closing: Bool, version: HTTPVersion) -> String? {
        if closing { return "close" }
        return version.minor == 0 ? "keep-alive" : nil
    }

    /// The call `head` starts, when this handler answers it.
    private func ingestCall(_ head: HTTPRequestHead) -> Call? {
        guard head.method == .POST, front.readiness.isReady, let engine = front.slot.engine else { return nil }
        let path = head.uri.prefix { $0 != "?" }
        guard let (call, route) = IngestCall.match(path) else { return nil }
        return Call(call: call, route: route, engine: engine, head: head, path: path)
    }

    private func answer(context: ChannelHandlerContext) {
        guard let call else { preconditionFailure("an answer needs a call") }
        let command: ShardCommand
        do throws(APIError) {
            command = try checkedCommand(call)
        } catch {
            return finish(error, context: context)
        }
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        call.engine.submit(command) { result in
            if loop.inEventLoop {
                bound.value.0.finish(result, context: bound.value.1)
            } else {
                loop.execute { bound.value.0.finish(result, context: bound.value.1) }
            }
        }
    }

    /// The checks of section 2 in the router's order, then the command.
    private func checkedCommand(_ call: Call) throws(APIError) -> ShardCommand {
        let headers = call.head.headers
        try RequestGuards.requireAcceptsJSON(headers)
        let access = try apiKeys.access(headers, engine: call.engine)
        try RequestGuards.requireJSONContentType(headers)
        if call.bodyTooLarge || RequestGuards.declaresBodyOver(front.maximumBodyBytes, headers) {
            throw RequestGuards.payloadTooLarge
        }
        return try call.call.command(access: access, headers: headers, body: call.body ?? ByteBuffer())
    }

    private func finish(_ result: Result<CommandOutcome, any Error>, context: ChannelHandlerContext) {
        switch result {
        case .success(let outcome):
            let answer = call!.call.answer(outcome)
            var headers = HTTPFields()
            if answer.replayed { headers[RequestGuards.idempotentReplayed] = "true" }
            finish(status: answer.status, body: answer.body, headers: headers, context: context)
        case .failure(let error as EngineError):
            finish(APIError(error), context: context)
        case .failure(let error):
            front.logger.error("request failed", metadata: ["path": "\(call!.path)", "error": "\(String(reflecting: error))"])
            finish(APIError.internalError, context: context)
        }
    }

    private func finish(_ error: APIError, context: ChannelHandlerContext) {
        finish(status: error.status, body: error.json, headers: error.headers, context: context)
    }

    /// Writes the answer, then reads on: what waited, or from the channel.
    private func finish(status: HTTPResponse.Status, body: JSON, headers extraFields: HTTPFields, context: ChannelHandlerContext) {
        guard let call else { preconditionFailure("an answer needs a call") }
        let (seconds, attoseconds) = (ContinuousClock.now - call.started).components
        let code = Int(status.code)
        if recorder?.route != call.route || recorder?.status != code {
            recorder = front.metrics.recorder(route: call.route, status: code)
        }
        recorder?.record(nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let closing = !call.head.isKeepAlive
        self.call = nil
        state = .idle
        guard isActive else { return }
        answerBytes.removeAll(keepingCapacity: true)
        body.write(to: &answerBytes)
        var bytes = context.channel.allocator.buffer(capacity: answerBytes.count)
        bytes.writeBytes(answerBytes)
        var fields = HTTPHeaders()
        fields.reserveCapacity(5 + extraFields.count)
        fields.add(name: "Content-Type", value: "application/json")
        fields.add(name: "Content-Length", value: String(bytes.readableBytes))
        for field in extraFields { fields.add(name: field.name.rawName, value: field.value) }
        fields.add(name: "Date", value: currentDate())
        fields.add(name: "Server", value: "sendpromptly")
        if let connection = Self.connectionHeader(closing: closing, version: call.head.version) {
            fields.add(name: "Connection", value: connection)
        }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: status.code, reasonPhrase: status.reasonPhrase), headers: fields)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if closing {
            context.close(promise: nil)
            return
        }
        // Closed by the connection-state handler on that end (quiescing): what waits is not
        // taken on.
        guard isActive else { return }
        if !waiting.isEmpty {
            while state != .answering, let part = waiting.popFirst() {
                handle(part, context: context)
            }
            // The router's side of the channel takes in what it was handed at the end of a read.
            context.fireChannelReadComplete()
        }
        if state != .answering, let error = heldError {
            heldError = nil
            context.fireErrorCaught(error)
        }
        if readHeld, state != .answering {
            readHeld = false
            context.read()
        }
    }

    /// The `Date` field's value, formatted at most once a second per connection.
    private func currentDate() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = Int64(now.tv_sec)
        if second != date.second { date = (second, HTTPDate.format(secondsSinceEpoch: second)) }
        return date.value
    }
}
