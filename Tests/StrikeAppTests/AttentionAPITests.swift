import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

/// `GET /api/attention` and its acknowledgement, by role and tenant, for the causes the poller reports (reopened
/// in the grace period, stale), and a new cause after an acknowledgement. The workers are off: the ECO reaches
/// each state by the commands the poller would run.
@Suite struct AttentionAPITests {
    @Test func workReopenedInTheGracePeriodNeedsAPersonUntilItCompletesAgain() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let id = try await InterventionAPITests.open(client, dispatcher.headers)
            try await InterventionAPITests.run(
                [
                    .markTasked(renderTaskID: "T-1"), .markDispatched(pagerRunID: PagerRunID("run-1"), acceptedBy: "Ana"), .startWork, .completeWork,
                    .startGracePeriod(until: api.world.store.now().addingTimeInterval(3600)),
                ], on: id, api)
            #expect(try await Self.items(client, dispatcher.headers).isEmpty, "completed work needs nobody")

            try await InterventionAPITests.run([.reopenWork(reason: "task T-1 was reopened")], on: id, api)
            let item = try #require(try await Self.items(client, dispatcher.headers).first)
            let cause = try #require((item["causes"] as? [[String: Any]])?.first)
            #expect(cause["cause"] as? String == "REOPENED")
            #expect(cause["detail"] as? String == "task T-1 was reopened")

            try await InterventionAPITests.run(
                [.completeWork, .startGracePeriod(until: api.world.store.now().addingTimeInterval(3600))], on: id, api)
            #expect(try await Self.items(client, dispatcher.headers).isEmpty)
        }
    }

    @Test func aNewCauseAfterAnAcknowledgementAsksForAPersonAgain() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let id = try await InterventionAPITests.open(client, dispatcher.headers)
            let quietSince = api.world.store.now()
            try await InterventionAPITests.run(
                [
                    .markTasked(renderTaskID: "T-1"), .markDispatched(pagerRunID: PagerRunID("run-1"), acceptedBy: "Ana"), .startWork,
                    .flagStale(quietSince: quietSince),
                ], on: id, api)
            let stale = try #require(try await Self.items(client, dispatcher.headers).first)
            #expect((stale["causes"] as? [[String: Any]])?.first?["detail"] as? String == "no field change since \(ISO8601.string(from: quietSince))")
            let board = try await client.get("/api/ecos", headers: dispatcher.headers).json["items"] as? [[String: Any]] ?? []
            #expect(board.first?["stale"] as? Bool == true)

            let acknowledged = try await client.post("/api/attention/\(id)/acknowledge", [:], headers: dispatcher.headers)
            #expect(acknowledged.status == .ok, "\(acknowledged.text)")
            #expect(acknowledged.json["acknowledgedBy"] as? String == "noc-dispatcher")

            try await InterventionAPITests.run([.completeWork, .reopenWork(reason: "a new task T-2 appeared")], on: id, api)
            let again = try #require(try await Self.items(client, dispatcher.headers).first)
            #expect(again["acknowledged"] as? Bool == false, "reopened is new: nobody has seen it")
            #expect(InterventionAPITests.causes(again) == ["REOPENED", "STALE"])
            #expect(try await client.post("/api/attention/\(id)/acknowledge", [:], headers: dispatcher.headers).status == .ok)

            // A task moves: the stale flag and its cause are gone, the reopening stays acknowledged.
            try await InterventionAPITests.run([.recordTaskChange(EcoTaskChanged(taskID: "T-2", status: .released, fingerprint: "f2"))], on: id, api)
            let moved = try #require(try await Self.items(client, dispatcher.headers).first)
            #expect(InterventionAPITests.causes(moved) == ["REOPENED"])
            #expect(moved["acknowledged"] as? Bool == true)
        }
    }

    @Test func viewersOfBothTenantsSeeTheListButOnlyTheNocsDispatchersAcknowledge() async throws {
        let api = try await APIWorld.make()
        try await api.addOtherTenants()
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let id = try await InterventionAPITests.open(client, dispatcher.headers)
            let nothing = try await client.post("/api/attention/\(id)/acknowledge", [:], headers: dispatcher.headers)
            #expect(nothing.status == .conflict)
            #expect(nothing.text.contains("nothing about this ECO needs attention now"))

            try await InterventionAPITests.run([.failIntegration(.render, reason: "Render answered 500")], on: id, api)
            for user in ["noc-viewer", "osp-viewer"] {
                let seen = try await Self.items(client, try await client.signIn(user).headers)
                #expect(seen.count == 1 && InterventionAPITests.causes(seen[0]) == ["NEEDS_ESCALATION"], "\(user)")
            }
            #expect(try await Self.items(client, try await client.signIn("other-noc-admin").headers).isEmpty, "another NOC's list is its own")
            #expect(try await client.post("/api/attention/\(id)/acknowledge", [:], headers: try await client.signIn("noc-viewer").headers).status == .forbidden)
            #expect(try await client.post("/api/attention/\(id)/acknowledge", [:], headers: try await client.signIn("osp-admin").headers).status == .forbidden)
            #expect(try await client.post("/api/attention/\(id)/acknowledge", [:], headers: try await client.signIn("other-noc-admin").headers).status == .notFound)
            #expect(try await Self.items(client, dispatcher.headers).first?["acknowledged"] as? Bool == false, "refusals changed nothing")
        }
    }

    static func items(_ client: some TestClientProtocol, _ headers: HTTPFields) async throws -> [[String: Any]] {
        try await client.get("/api/attention", headers: headers).json["items"] as? [[String: Any]] ?? []
    }
}

extension InterventionAPITests {
    static func causes(_ item: [String: Any]) -> [String] {
        (item["causes"] as? [[String: Any]] ?? []).compactMap { $0["cause"] as? String }
    }
}
