import AsyncHTTPClient
import Foundation
import NIOCore

/// One POST to an HTTP receiver (a repair endpoint, a Slack webhook), judged by the wire
/// contract's HTTP rules (``AttemptVerdict/init(httpStatus:retryAfter:now:)``).
///
/// One deadline covers the whole exchange, connection to the last byte of the answer: a
/// receiver that sends its headers and then trickles or never ends its body times out like
/// one that never answers, and its slot is freed. The answer's body is read to its end (so the
/// connection can be reused) and dropped, but for its first 200 characters when the caller
/// wants them on the timeline.
public enum HTTPDelivery {
    public static func post(
        _ body: [UInt8], to url: String, headers: [(name: String, value: String)], client: HTTPClient, timeout: Duration,
        reportingAnswerBody: Bool = false
    ) async -> AttemptResult {
        var draft = HTTPClientRequest(url: url)
        draft.method = .POST
        for header in headers { draft.headers.add(name: header.name, value: header.value) }
        draft.body = .bytes(ByteBuffer(bytes: body))
        let request = draft
        let timedOut = AttemptResult(statusCode: nil, error: "timed out after \(timeout)", verdict: .retry(retryAfterMilliseconds: nil))
        do {
            let answer = try await withThrowingTaskGroup(of: Answer?.self) { group in
                group.addTask {
                    let response = try await client.execute(request, timeout: TimeAmount(timeout))
                    var start = ""
                    for try await chunk in response.body where start.utf8.count < 200 { start += String(buffer: chunk) }
                    return Answer(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), start: start)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard let answer else { return timedOut }
            let note: String? = switch answer.status {
            case 200..<300: nil
            case 300..<400: "redirect not followed"
            default: reportingAnswerBody && !answer.start.isEmpty ? String(answer.start.prefix(200)) : nil
            }
            return AttemptResult(
                statusCode: answer.status, error: note,
                verdict: AttemptVerdict(httpStatus: answer.status, retryAfter: answer.retryAfter, now: Date()))
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            return timedOut
        } catch {
            // The client's errors name the host at most, never the path (a Slack webhook's secret).
            return AttemptResult(
                statusCode: nil, error: "network error: \(String(describing: error).prefix(200))", verdict: .retry(retryAfterMilliseconds: nil))
        }
    }

    private struct Answer: Sendable {
        let status: Int
        let retryAfter: String?
        let start: String
    }
}
