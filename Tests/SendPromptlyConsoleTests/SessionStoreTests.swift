@testable import SendPromptlyConsole
import SendPromptlyCore
import Synchronization
import XCTest

/// Sessions without HTTP: idle expiry, sign-out, the CSRF comparison, the tokens' shape.
final class ConsoleSessionStoreTests: XCTestCase {
    /// A clock for the store that moves only when told to.
    private final class StepClock: Sendable {
        private let offset = Mutex<Duration>(.zero)
        private let start = ContinuousClock.now

        func now() -> ContinuousClock.Instant { start + offset.withLock { $0 } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    }

    func testASessionEndsAfterTwelveIdleHoursAndEveryRequestKeepsItAlive() {
        let clock = StepClock()
        let store = SessionStore(idleLifetime: .seconds(12 * 3600), now: { clock.now() })
        let (token, session) = store.create()
        clock.advance(.seconds(11 * 3600))
        XCTAssertEqual(store.session(for: token)?.csrfToken, session.csrfToken, "11 idle hours: still signed in")
        clock.advance(.seconds(11 * 3600))
        XCTAssertNotNil(store.session(for: token), "the request 11 hours earlier counted as activity")
        clock.advance(.seconds(12 * 3600))
        XCTAssertNil(store.session(for: token), "12 idle hours: signed out")
        clock.advance(.seconds(1))
        XCTAssertNil(store.session(for: token))
    }

    func testSigningOutEndsTheSessionAtOnce() {
        let store = SessionStore(idleLifetime: .seconds(3600))
        let (token, _) = store.create()
        let (other, _) = store.create()
        store.end(token)
        XCTAssertNil(store.session(for: token))
        XCTAssertNotNil(store.session(for: other), "only that session ends")
        XCTAssertNil(store.session(for: nil))
        XCTAssertNil(store.session(for: "0123"))
    }

    func testTokensAre32RandomBytesInHexAndCSRFTokensCompareExactly() {
        let tokens = (0..<100).map { _ in SessionStore.randomToken() }
        XCTAssertEqual(Set(tokens).count, 100)
        for token in tokens {
            XCTAssertEqual(token.utf8.count, 64)
            XCTAssertTrue(token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
        XCTAssertTrue(SessionStore.tokensMatch(tokens[0], tokens[0]))
        XCTAssertFalse(SessionStore.tokensMatch(tokens[1], tokens[0]))
        XCTAssertFalse(SessionStore.tokensMatch(String(tokens[0].dropLast()), tokens[0]))
        XCTAssertFalse(SessionStore.tokensMatch(nil, tokens[0]))
        XCTAssertFalse(SessionStore.tokensMatch("", tokens[0]))
    }

    func testANoticeAndARevealedKeyAreShownOnce() throws {
        let store = SessionStore(idleLifetime: .seconds(3600))
        let (token, _) = store.create()
        let project = try XCTUnwrap(ProjectID("prj_01RWDSA3TFVTNZ4YHT6RF833ZY"))
        store.update(token) {
            $0.notice = Notice(text: "saved", isError: false)
            $0.revealed = RevealedSecret(project: project, label: "ci", value: "sk_x")
        }
        let (_, elsewhere) = store.takeShownOnce(token, project: ProjectID("prj_01ZHZJZX4YP0FKJEHAMQF7XSF6"))
        XCTAssertNil(elsewhere, "a key is shown on its own project's page only")
        let (notice, revealed) = store.takeShownOnce(token, project: project)
        XCTAssertNil(notice, "the notice went to the first page")
        XCTAssertEqual(revealed?.value, "sk_x")
        let (_, again) = store.takeShownOnce(token, project: project)
        XCTAssertNil(again)
    }
}
