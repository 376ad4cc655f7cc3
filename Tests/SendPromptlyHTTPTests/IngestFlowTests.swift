import HummingbirdTesting
import SendPromptlyCore
import XCTest

/// The receipt and result flow of section 3 over HTTP, every row of the state table.
final class IngestFlowTests: XCTestCase {
    func testReceiptIsAcceptedWithDeadlineAndReplayedForTheSameKey() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let first = try await api.receipt(project.key, extra: #", "timeout_minutes": 5"#, idempotencyKey: "k1")
            XCTAssertEqual(first.status, .accepted)
            XCTAssertEqual(first["accepted"], true)
            XCTAssertNil(first["duplicate"])
            let eventID = try XCTUnwrap(first.string("event_id"))
            XCTAssertTrue(eventID.hasPrefix("ev_"))
            let expected = api.clock.now().adding(seconds: 300)
            XCTAssertEqual(first.string("timeout_at"), RFC3339.format(expected))

            let replay = try await api.receipt(project.key, extra: #", "timeout_minutes": 5"#, idempotencyKey: "k1")
            XCTAssertEqual(replay.status, .accepted)
            XCTAssertEqual(replay.body, first.body)
            XCTAssertEqual(replay.headers[.init("Idempotent-Replayed")!], "true")

            let reused = try await api.receipt(project.key, extra: #", "timeout_minutes": 6"#, idempotencyKey: "k1")
            XCTAssertEqual(reused.status, .unprocessableContent)
            XCTAssertEqual(reused.errorCode, "idempotency_key_reused")
        }
    }

    /// The contract serves each call with and without `/api`: a retry through the other path is
    /// the same request, answered again, not `idempotency_key_reused`.
    func testARetryThroughTheOtherPathIsReplayed() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let receipt = #"{"provider": "stripe", "provider_event_id": "evt_alias", "event_type": "invoice.paid", "effect_type": "credit_grant"}"#
            let first = try await api.request(.post, "/v1/receipt", bearer: project.key, body: receipt, idempotencyKey: "receipt-alias")
            XCTAssertEqual(first.status, .accepted)
            let again = try await api.request(.post, "/api/v1/receipt", bearer: project.key, body: receipt, idempotencyKey: "receipt-alias")
            XCTAssertEqual(again.status, .accepted, "\(String(describing: again.body))")
            XCTAssertEqual(again.headers[.init("Idempotent-Replayed")!], "true")
            let eventID = try XCTUnwrap(first.string("event_id"))
            XCTAssertEqual(again.string("event_id"), eventID)

            let result = #"{"event_id": "\#(eventID)", "status": "success"}"#
            let applied = try await api.request(.post, "/api/v1/result", bearer: project.key, body: result, idempotencyKey: "result-alias")
            XCTAssertEqual(applied.status, .ok)
            let retried = try await api.request(.post, "/v1/result", bearer: project.key, body: result, idempotencyKey: "result-alias")
            XCTAssertEqual(retried.status, .ok, "\(String(describing: retried.body))")
            XCTAssertEqual(retried.headers[.init("Idempotent-Replayed")!], "true")
        }
    }

    func testProviderRedeliveryAnswersTheOriginalEventWithoutExtendingTheDeadline() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let first = try await api.receipt(project.key, eventID: "evt_redelivered", idempotencyKey: "a")
            await api.advance(milliseconds: 60_000)
            let again = try await api.receipt(project.key, eventID: "evt_redelivered", idempotencyKey: "b")
            XCTAssertEqual(again.status, .accepted)
            XCTAssertEqual(again["duplicate"], true)
            XCTAssertEqual(again["event_id"], first["event_id"])
            XCTAssertEqual(again["timeout_at"], first["timeout_at"])
            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 1)
        }
    }

    func testStripeEventIDIsAcceptedAndFindsTheEventForTheResult() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let body = #"{"provider": "stripe", "stripe_event_id": "evt_s1", "event_type": "invoice.paid", "effect_type": "credit_grant"}"#
            let receipt = try await api.request(.post, "/v1/receipt", bearer: project.key, body: body, idempotencyKey: "s1")
            XCTAssertEqual(receipt.status, .accepted)
            let result = try await api.request(
                .post, "/v1/result", bearer: project.key, body: #"{"stripe_event_id": "evt_s1", "status": "success"}"#,
                idempotencyKey: "s1-result")
            XCTAssertEqual(result.status, .ok)
            XCTAssertEqual(result["event_id"], receipt["event_id"])
            XCTAssertEqual(result.string("status"), "succeeded")
        }
    }

    func testTimeoutOpensAnIncidentAtTheDeadlineNeverEarlier() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let receipt = try await api.receipt(project.key, extra: #", "timeout_seconds": 2"#)
            let eventID = try XCTUnwrap(receipt.string("event_id"))

            await api.advance(milliseconds: 1_999)
            var event = try await api.get("/api/v1/events/\(eventID)", project.key)
            XCTAssertEqual(event.string("state"), "pending")
            XCTAssertEqual(event["incident_id"], .null)

            // The deadline plus one tick of the wheel: the documented maximum lateness.
            await api.advance(milliseconds: 1 + 100)
            event = try await api.get("/api/v1/events/\(eventID)", project.key)
            XCTAssertEqual(event.string("state"), "timed_out")
            let incidentID = try XCTUnwrap(event.string("incident_id"))
            let incident = try await api.get("/api/v1/incidents/\(incidentID)", project.key)
            XCTAssertEqual(incident.status, .ok)
            XCTAssertEqual(incident.string("reason"), "timeout")
            XCTAssertEqual(incident.string("status"), "open")
            XCTAssertEqual(incident["opened_at"], receipt["timeout_at"])
            guard case .array(let timeline)? = incident["timeline"] else { return XCTFail("no timeline") }
            XCTAssertEqual(timeline.compactMap { $0["kind"] }, ["receipt", "timeout", "alert"])
            XCTAssertEqual(timeline.last?["detail"], .string("alert not sent: the project has no alert recipients"))
        }
    }

    func testFailedResultOpensAnIncidentAtOnceAndCancelsTheDeadline() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let receipt = try await api.receipt(project.key, extra: #", "timeout_seconds": 60"#)
            let eventID = try XCTUnwrap(receipt.string("event_id"))
            let failed = try await api.result(
                project.key, eventID: eventID, status: "failed",
                extra: #", "error_code": "db_timeout", "error_message": "credits table locked""#)
            XCTAssertEqual(failed.status, .ok)
            XCTAssertEqual(failed.string("status"), "failed")
            XCTAssertEqual(failed.string("incident_status"), "open")
            let incidentID = try XCTUnwrap(failed.string("incident_id"))

            await api.advance(milliseconds: 120_000)
            let list = try await api.get("/api/v1/incidents", project.key)
            guard case .array(let incidents)? = list["incidents"] else { return XCTFail("no list") }
            XCTAssertEqual(incidents.count, 1, "the deadline must not open a second incident")
            let incident = try await api.get("/api/v1/incidents/\(incidentID)", project.key)
            XCTAssertEqual(incident.string("reason"), "failed")
            XCTAssertEqual(incident["last_error"], .object([("code", "db_timeout"), ("message", "credits table locked")]))
            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 0)

            // A success afterwards resolves it as a late success.
            let success = try await api.result(project.key, eventID: eventID, status: "success")
            XCTAssertEqual(success.string("status"), "succeeded")
            XCTAssertEqual(success.string("incident_status"), "resolved")
            let resolved = try await api.get("/api/v1/incidents/\(incidentID)", project.key)
            XCTAssertEqual(resolved.string("resolution"), "late_success")
            XCTAssertNotEqual(resolved["resolved_at"], .null)
            let event = try await api.get("/api/v1/events/\(eventID)", project.key)
            XCTAssertEqual(event.string("state"), "succeeded")
        }
    }

    func testSuccessBeforeTheDeadlineClosesTheEventWithoutIncident() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let receipt = try await api.receipt(project.key, extra: #", "timeout_seconds": 5"#)
            let eventID = try XCTUnwrap(receipt.string("event_id"))
            let success = try await api.result(project.key, eventID: eventID, status: "success")
            XCTAssertEqual(success.status, .ok)
            XCTAssertEqual(success.body, .object([
                ("event_id", .string(eventID)), ("status", "succeeded"), ("incident_id", nil), ("incident_status", nil),
            ]))
            await api.advance(milliseconds: 10_000)
            // Already succeeded: neither another success nor a failure opens anything.
            let again = try await api.result(project.key, eventID: eventID, status: "success")
            XCTAssertEqual(again.string("status"), "succeeded")
            let failed = try await api.result(project.key, eventID: eventID, status: "failed")
            XCTAssertEqual(failed["incident_id"], .null)
            let list = try await api.get("/api/v1/incidents", project.key)
            XCTAssertEqual(list["incidents"], .array([]))
            let event = try await api.get("/api/v1/events/\(eventID)", project.key)
            XCTAssertEqual(event.string("state"), "succeeded")
        }
    }

    func testResultsOnAnOpenIncidentAreRecordedAndAResolvedIncidentStaysResolved() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let receipt = try await api.receipt(project.key, extra: #", "timeout_seconds": 1"#)
            let eventID = try XCTUnwrap(receipt.string("event_id"))
            await api.advance(milliseconds: 1_100)
            let failed = try await api.result(project.key, eventID: eventID, status: "failed", extra: #", "error_code": "again""#)
            XCTAssertEqual(failed.string("incident_status"), "open")
            let incidentID = try XCTUnwrap(failed.string("incident_id"))

            let resolve = try await api.request(
                .post, "/api/v1/incidents/\(incidentID)/resolve", bearer: project.key, body: #"{"note": "granted by hand"}"#)
            XCTAssertEqual(resolve.status, .ok)
            XCTAssertEqual(resolve.string("resolution"), "manual")
            XCTAssertEqual(resolve.string("resolution_note"), "granted by hand")

            let lateFailure = try await api.result(project.key, eventID: eventID, status: "failed", extra: #", "error_code": "late""#)
            XCTAssertEqual(lateFailure.string("incident_id"), incidentID)
            XCTAssertEqual(lateFailure.string("incident_status"), "resolved")
            let lateSuccess = try await api.result(project.key, eventID: eventID, status: "success")
            XCTAssertEqual(lateSuccess.string("incident_status"), "resolved")

            let incident = try await api.get("/api/v1/incidents/\(incidentID)", project.key)
            XCTAssertEqual(incident.string("resolution"), "manual", "a resolved incident keeps its resolution")
            guard case .array(let timeline)? = incident["timeline"] else { return XCTFail("no timeline") }
            XCTAssertEqual(
                timeline.compactMap { $0["kind"] }, ["receipt", "timeout", "alert", "result", "resolution", "alert", "result"],
                "the late failure is recorded; the late success changes nothing")
            let list = try await api.get("/api/v1/incidents", project.key)
            guard case .array(let incidents)? = list["incidents"] else { return XCTFail("no list") }
            XCTAssertEqual(incidents.count, 1)

            let twice = try await api.request(.post, "/api/v1/incidents/\(incidentID)/resolve", bearer: project.key)
            XCTAssertEqual(twice.errorCode, "conflict")
        }
    }

    func testReplayIDThatIsNotTheIncidentsIsAValidationError() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let receipt = try await api.receipt(project.key)
            let eventID = try XCTUnwrap(receipt.string("event_id"))
            _ = try await api.result(project.key, eventID: eventID, status: "failed")
            let reply = try await api.result(project.key, eventID: eventID, status: "success", extra: #", "replay_id": "rpl_unknown""#)
            XCTAssertEqual(reply.status, .unprocessableContent)
            XCTAssertEqual(reply.errorCode, "validation_error")
            XCTAssertEqual(reply.errorField, "replay_id")
            let list = try await api.get("/api/v1/incidents?status=open", project.key)
            guard case .array(let incidents)? = list["incidents"] else { return XCTFail("no list") }
            XCTAssertEqual(incidents.count, 1, "the rejected result must not resolve anything")
        }
    }

    func testIncidentListIsNewestFirstWithCursorAndStatusFilter() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            var incidentIDs: [String] = []
            for index in 0..<5 {
                let receipt = try await api.receipt(project.key, eventID: "evt_list_\(index)")
                let failed = try await api.result(project.key, eventID: try XCTUnwrap(receipt.string("event_id")), status: "failed")
                incidentIDs.append(try XCTUnwrap(failed.string("incident_id")))
                await api.advance(milliseconds: 1)
            }
            _ = try await api.request(.post, "/api/v1/incidents/\(incidentIDs[4])/resolve", bearer: project.key)

            var seen: [String] = []
            var cursor: String?
            repeat {
                let path = "/api/v1/incidents?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await api.get(path, project.key)
                XCTAssertEqual(page.status, .ok)
                guard case .array(let incidents)? = page["incidents"] else { return XCTFail("no list") }
                seen += incidents.compactMap { incident in
                    if case .string(let id)? = incident["id"] { return id }
                    return nil
                }
                cursor = page.string("next_cursor")
            } while cursor != nil
            XCTAssertEqual(seen, incidentIDs.reversed())

            let open = try await api.get("/api/v1/incidents?status=open", project.key)
            guard case .array(let openIncidents)? = open["incidents"] else { return XCTFail("no list") }
            XCTAssertEqual(openIncidents.count, 4)
            let resolved = try await api.get("/api/v1/incidents?status=resolved", project.key)
            guard case .array(let resolvedIncidents)? = resolved["incidents"] else { return XCTFail("no list") }
            XCTAssertEqual(resolvedIncidents.first?["id"], .string(incidentIDs[4]))

            let badStatus = try await api.get("/api/v1/incidents?status=closed", project.key)
            XCTAssertEqual(badStatus.errorField, "status")
            let badLimit = try await api.get("/api/v1/incidents?limit=0", project.key)
            XCTAssertEqual(badLimit.errorField, "limit")
            let badCursor = try await api.get("/api/v1/incidents?cursor=inc_nope", project.key)
            XCTAssertEqual(badCursor.errorField, "cursor")
        }
    }

    /// The same case in process (requests handed to the router) and over loopback HTTP.
    func testTheFlowBehavesTheSameInProcessAndLive() async throws {
        for setup in [TestingSetup.router, .live] {
            try await APIHarness.run(setup) { api in
                let project = try await api.createProject()
                let receipt = try await api.receipt(project.key, extra: #", "timeout_seconds": 1"#)
                XCTAssertEqual(receipt.status, .accepted)
                await api.advance(milliseconds: 1_100)
                let event = try await api.get("/api/v1/events/\(try XCTUnwrap(receipt.string("event_id")))", project.key)
                XCTAssertEqual(event.string("state"), "timed_out")
            }
        }
    }
}
