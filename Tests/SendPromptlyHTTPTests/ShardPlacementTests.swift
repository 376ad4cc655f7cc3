import SendPromptlyCore
import SendPromptlyEngine
import XCTest

/// Which shard owns a project must never change for an id: the journal and snapshots hold each
/// project's state in its shard, so a different placement after an upgrade would send a
/// project's commands to a shard that knows nothing of it. The expected indexes are FNV-1a of
/// the id's text, computed independently (Python) when the placement was first written.
final class ShardPlacementTests: XCTestCase {
    func testAProjectsShardIsFNV1aOfItsTextForEveryShardCount() throws {
        let expected: [(String, [Int])] = [
            ("prj_01JDX8Q2M3ABCDEFGHJKMNPQRS", [0, 2, 6, 14]),
            ("prj_01KB0000000000000000000000", [0, 0, 6, 6]),
            ("prj_7ZZZZZZZZZZZZZZZZZZZZZZZZZ", [1, 2, 5, 5]),
        ]
        for (text, indexes) in expected {
            let project = try XCTUnwrap(ProjectID(text))
            XCTAssertEqual([2, 3, 8, 16].map { Engine.shardIndex(for: project, shardCount: $0) }, indexes, text)
        }
    }

    func testTheSpellingOnTheStackIsTheIdentifiersText() throws {
        let project = try XCTUnwrap(ProjectID("prj_01JDX8Q2M3ABCDEFGHJKMNPQRS"))
        XCTAssertEqual(project.withSpelling { String(decoding: $0, as: UTF8.self) }, project.rawValue)
        let event = try XCTUnwrap(EventID("ev_01JDX8Q2M3ABCDEFGHJKMNPQRS"))
        XCTAssertEqual(event.withSpelling { Array($0) }, Array("ev_01JDX8Q2M3ABCDEFGHJKMNPQRS".utf8))
    }
}
