import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import XCTest

/// Helpers shared by the durability tests: a request helper that also returns headers, server
/// start-up that waits for recovery to finish, a seeded generator, and file damage.
enum Durability {
    static let adminToken = "durability-admin-token-0123456789"

    /// A client for many concurrent requests to one server: a connection per client task, so
    /// that no request waits in the pool for a connection (after a kill -9 a queued request
    /// would wait for its whole time-out while the pool retries connecting).
    static func loadClient(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(20))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Starts `serve` on `dataDirectory` with the fixed admin token; returns once the server
    /// has recovered and answers requests (`ServerProcess.serve` waits for that).
    static func start(_ dataDirectory: URL, _ arguments: [String] = []) async throws -> (ServerProcess, String) {
        let (server, url) = try await ServerProcess.serve(
            dataDirectory: dataDirectory, arguments: ["--admin-token", adminToken] + arguments)
        return (server, url)
    }

    /// SIGTERM, then waits for a clean exit (the final snapshot is written by then).
    static func stop(_ server: ServerProcess, file: StaticString = #filePath, line: UInt = #line) async throws {
        server.signal(SIGTERM)
        let status = try await server.waitForExit()
        XCTAssertEqual(status, 0, "graceful stop; stderr: \(server.standardError)", file: file, line: line)
    }

    /// SIGKILL, then waits until the process is gone.
    static func kill(_ server: ServerProcess) async throws {
        server.signal(SIGKILL)
        _ = try await server.waitForExit()
    }

    /// Creates a project and returns its `manage` API key.
    static func createProject(_ url: String, name: String = "Durability") async throws -> String {
        let reply = try await HTTP.send(.POST, "\(url)/admin/v1/projects", bearer: adminToken, json: #"{"name": "\#(name)"}"#)
        guard reply.status == 201, let key = reply.body["api_key"] as? String else {
            throw ProcessError("creating a project answered \(reply.status): \(reply.body)")
        }
        return key
    }

    static func receiptBody(_ providerEventID: String, timeoutSeconds: Int = 3600) -> String {
        #"{"provider": "stripe", "provider_event_id": "\#(providerEventID)", "event_type": "invoice.paid", "effect_type": "credit_grant", "timeout_seconds": \#(timeoutSeconds)}"#
    }

    static func resultBody(_ eventID: String, _ status: String) -> String {
        #"{"event_id": "\#(eventID)", "status": "\#(status)"}"#
    }

    /// An RFC 3339 time of the API (`2026-11-29T06:30:00.000Z`).
    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// Every incident of the project, following `next_cursor` (bounded to 100 pages).
    static func allIncidents(_ url: String, key: String) async throws -> [[String: Any]] {
        var incidents: [[String: Any]] = []
        var cursor: String?
        for _ in 0..<100 {
            let query = cursor.map { "&cursor=\($0)" } ?? ""
            let page = try await HTTP.send(.GET, "\(url)/api/v1/incidents?limit=200\(query)", bearer: key)
            guard page.status == 200 else { throw ProcessError("listing incidents answered \(page.status): \(page.body)") }
            incidents += page.body["incidents"] as? [[String: Any]] ?? []
            cursor = page.body["next_cursor"] as? String
            if cursor == nil { return incidents }
        }
        throw ProcessError("more than 100 pages of incidents")
    }

    // MARK: Files

    static func files(in directory: URL, prefix: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }
            .sorted()
    }

    static func snapshots(in directory: URL) throws -> [String] {
        try files(in: directory, prefix: "snapshot-", suffix: ".snap")
    }

    static func segments(in directory: URL) throws -> [String] {
        try files(in: directory, prefix: "journal-", suffix: ".log")
    }

    static func size(of file: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Inverts every bit of the byte at `offset`.
    static func flipByte(of file: URL, at offset: Int) throws {
        var bytes = [UInt8](try Data(contentsOf: file))
        precondition(offset < bytes.count, "offset \(offset) beyond \(file.lastPathComponent) (\(bytes.count) bytes)")
        bytes[offset] ^= 0xFF
        try Data(bytes).write(to: file)
    }

    /// Cuts the last `count` bytes off `file`.
    /// Where a journal segment's records end: a segment being written is a file zero-filled
    /// ahead, and its zeros follow the records.
    static func recordsEnd(of file: URL) throws -> Int {
        let bytes = try Data(contentsOf: file)
        return (bytes.lastIndex { $0 != 0 } ?? -1) + 1
    }

    /// Cuts the last `count` bytes of a segment's records off, with the zeros after them: the
    /// last record torn.
    static func cutRecords(_ count: Int, from file: URL) throws {
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(try recordsEnd(of: file) - count))
    }
}

