import NIOCore
import NIOPosix
import XCTest

/// One TCP connection to the live server that writes raw bytes and reads raw HTTP/1.1 answers:
/// what the test client cannot do (pipelining, bodies in pieces, watching the server close).
final class RawConnection: Sendable {
    /// One answer as read off the wire.
    struct Answer {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
    }

    /// Connects, runs `body`, and closes.
    static func with<T: Sendable>(port: Int, _ body: (RawConnection, inout Reader) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = RawConnection(channel: channel)
            var reader = Reader(iterator: inbound.makeAsyncIterator())
            let result = try await body(connection, &reader)
            outbound.finish()
            return result
        }
    }

    func send(_ text: String) async throws {
        try await channel.channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Reads answers off the connection, however the server's writes split them.
    struct Reader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending: [UInt8] = []

        /// The next whole answer, or nil when the server closed the connection first.
        mutating func next() async throws -> Answer? {
            while true {
                if let answer = try takeAnswer() { return answer }
                guard let buffer = try await iterator.next() else {
                    XCTAssertTrue(pending.isEmpty, "the connection closed in the middle of an answer")
                    return nil
                }
                pending += buffer.readableBytesView
            }
        }

        /// Whether the server closes the connection without sending anything more.
        mutating func closes() async throws -> Bool {
            while let buffer = try await iterator.next() {
                pending += buffer.readableBytesView
            }
            return pending.isEmpty
        }

        private mutating func takeAnswer() throws -> Answer? {
            let separator = Array("\r\n\r\n".utf8)
            guard let end = pending.indices.dropLast(3).first(where: { Array(pending[$0..<$0 + 4]) == separator }) else {
                return nil
            }
            let lines = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            let status = try XCTUnwrap(Int(lines[0].split(separator: " ")[1]))
            let headers = lines.dropFirst().map { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return (name: String(parts[0]), value: parts[1].trimmingCharacters(in: .whitespaces))
            }
            let length = Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
            guard pending.count >= end + 4 + length else { return nil }
            let body = String(decoding: pending[(end + 4)..<(end + 4 + length)], as: UTF8.self)
            pending.removeFirst(end + 4 + length)
            return Answer(status: status, headers: headers, body: body)
        }
    }
}
