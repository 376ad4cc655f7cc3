import NIOCore

/// Splits the server's byte stream into reply lines: each ends with CRLF (a bare LF is taken
/// too), which is removed; bytes are read as UTF-8, invalid sequences replaced.
///
/// A line longer than `maximumLineLength` bytes fails the stream with
/// `SMTPError.protocolViolation` instead of buffering without end (RFC 5321 allows 512).
///
/// It also counts what it has produced and what it still holds, so that STARTTLS can prove
/// that no plaintext arrived after the server's `220` (a man in the middle could otherwise
/// inject replies that would be read as if they came over TLS). It is a class for that: the
/// client keeps a reference and reads it on the channel's event loop, where the pipeline runs.
final class SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    static let maximumLineLength = 4096

    /// Lines passed on so far.
    private(set) var linesDecoded = 0
    /// Bytes received but not yet part of a whole line.
    private(set) var bytesBuffered = 0

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            bytesBuffered = buffer.readableBytes
            guard bytesBuffered <= Self.maximumLineLength else {
                throw SMTPError.protocolViolation("the server sent a line longer than \(Self.maximumLineLength) bytes")
            }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        guard length <= Self.maximumLineLength else {
            throw SMTPError.protocolViolation("the server sent a line longer than \(Self.maximumLineLength) bytes")
        }
        var bytes = buffer.readBytes(length: length + 1)!
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        bytesBuffered = buffer.readableBytes
        linesDecoded += 1
        context.fireChannelRead(wrapInboundOut(String(decoding: bytes, as: UTF8.self)))
        return .continue
    }
}
