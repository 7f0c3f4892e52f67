import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

/// `POST /api/ecos/{id}/interventions`: each action where the status machine allows it, with actor and reason on
/// the timeline, and a clear 409 where it does not. The workers are off: an ECO reaches each state by the
/// commands the workers would run.
@Suite struct InterventionAPITests {
    @Test func aDispatcherDispatchesAPagingEcoByHandAndTheTimelineSaysWhoAndWhy() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let id = try await Self.open(client, dispatcher.headers)
            try await Self.run([.markTasked(renderTaskID: "T-1")], on: id, api)

            let dispatched = try await client.post(
                "/api/ecos/\(id)/interventions", ["action": "dispatch", "acceptedBy": " Dana Reyes ", "reason": "Dana called back"],
                headers: dispatcher.headers)
            #expect(dispatched.status == .ok, "\(dispatched.text)")
            let eco = try #require(dispatched.json["eco"] as? [String: Any])
            #expect(eco["acceptedBy"] as? String == "Dana Reyes")
            #expect(eco["displayStatus"] as? String == "Dispatched")

            let timeline = try await client.get("/api/ecos/\(id)/timeline", headers: dispatcher.headers).json["entries"] as? [[String: Any]] ?? []
            let entry = try #require(timeline.last)
            #expect(entry["type"] as? String == "EcoInterventionRecorded")
            #expect(entry["actorName"] as? String == "noc-dispatcher")
            let payload = entry["payload"] as? [String: Any] ?? [:]
            #expect(payload["action"] as? String == "dispatch" && payload["reason"] as? String == "Dana called back" && payload["from"] as? String == "OPEN")

            let twice = try await client.post(
                "/api/ecos/\(id)/interventions", ["action": "dispatch", "acceptedBy": "Eli", "reason": "again"], headers: dispatcher.headers)
            #expect(twice.status == .conflict)
            #expect(twice.text.contains("already dispatched (accepted by Dana Reyes)"))
        }
    }

    @Test func anEcoThatNeedsEscalationIsDispatchedByHandButOneWhoseTaskIsBeingMadeIsNot() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let pending = try await Self.open(client, dispatcher.headers)
            let early = try await client.post(
                "/api/ecos/\(pending)/interventions", ["action": "dispatch", "acceptedBy": "Dana", "reason": "called back"], headers: dispatcher.headers)
            #expect(early.status == .conflict)
            #expect(early.text.contains("its Render task is still being made"))

            let failed = try await Self.open(client, dispatcher.headers)
            try await Self.run([.markTasked(renderTaskID: "T-2"), .failIntegration(.pager, reason: "no contact of the list accepted")], on: failed, api)
            let taken = try await client.post(
                "/api/ecos/\(failed)/interventions", ["action": "dispatch", "acceptedBy": "Dana", "reason": "called back"], headers: dispatcher.headers)
            #expect(taken.status == .ok, "\(taken.text)")
            #expect((taken.json["eco"] as? [String: Any])?["displayStatus"] as? String == "Dispatched")
        }
    }

    @Test func completeCloseAndReopenFollowTheStatusMachineAndACompletedEcoIsNotEdited() async throws {
        let api = try await APIWorld.make()
        _ = try await api.world.store.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(mode: .simulated, baseURL: nil, clientID: "c", clientSecret: "s", projectID: "P", gracePeriodHours: 6),
            actor: .system("test"))
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let id = try await Self.open(client, dispatcher.headers)
            func act(_ action: String, _ reason: String = "by the NOC") async throws -> TestResponse {
                try await client.post("/api/ecos/\(id)/interventions", ["action": action, "reason": reason], headers: dispatcher.headers)
            }
            func status() async throws -> String? {
                (try await client.get("/api/ecos/\(id)", headers: dispatcher.headers).json["eco"] as? [String: Any])?["status"] as? String
            }

            let reopenOpen = try await act("reopen")
            #expect(reopenOpen.status == .conflict)
            #expect(reopenOpen.text.contains("only a COMPLETED or closed ECO is reopened, and it is OPEN"))

            let completed = try await act("complete", "the crew phoned it in")
            #expect(completed.status == .ok, "\(completed.text)")
            let eco = try #require(completed.json["eco"] as? [String: Any])
            #expect(eco["status"] as? String == "COMPLETED")
            let grace = try #require(ISO8601.date(from: eco["graceUntil"] as? String ?? ""))
            #expect(grace.timeIntervalSince(api.world.store.now()) > 5.9 * 3600, "the Render instance's six hours of grace")
            #expect(try await act("complete").status == .conflict)

            let edit = try await client.send(.patch, "/api/ecos/\(id)", ["description": "Changed after completion"], headers: dispatcher.headers)
            #expect(edit.status == .conflict)
            #expect(edit.text.contains("COMPLETED and cannot be edited; reopen it first"))

            #expect(try await act("close", "nothing more to do").status == .ok)
            #expect(try await status() == "HARD_COMPLETE")
            #expect(try await act("close").status == .conflict)
            #expect(try await client.send(.patch, "/api/ecos/\(id)", ["description": "Changed when closed"], headers: dispatcher.headers).status == .conflict)

            let reopened = try await act("reopen", "the splice failed again")
            #expect(reopened.status == .ok, "\(reopened.text)")
            #expect(try await status() == "IN_PROGRESS")
            #expect(try await client.send(.patch, "/api/ecos/\(id)", ["description": "Splice failed again"], headers: dispatcher.headers).status == .ok)

            let actions = (try await client.get("/api/ecos/\(id)/timeline", headers: dispatcher.headers).json["entries"] as? [[String: Any]] ?? [])
                .filter { $0["type"] as? String == "EcoInterventionRecorded" }
                .map { "\(($0["payload"] as? [String: Any])?["action"] ?? ""): \(($0["payload"] as? [String: Any])?["reason"] ?? "")" }
            #expect(actions == ["complete: the crew phoned it in", "close: nothing more to do", "reopen: the splice failed again"])
        }
    }

    @Test func aCancelledEcoRefusesEveryInterventionAndBadInputChangesNothing() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let id = try await Self.open(client, dispatcher.headers)
            for (body, fields) in [
                (["action": "dispatch", "reason": "called back"], ["acceptedBy"]),
                (["action": "complete", "reason": "done", "acceptedBy": "Dana"], ["acceptedBy"]),
                (["action": "close", "reason": "   "], ["reason"]),
                (["action": "archive", "reason": "why not"], ["action"]),
            ] as [([String: String], [String])] {
                let refused = try await client.post("/api/ecos/\(id)/interventions", body, headers: dispatcher.headers)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.problemFields == fields, "\(body): \(refused.text)")
            }
            #expect(try await api.world.store.load(Eco.self, id: id).version == 1, "nothing was recorded")

            #expect(try await client.post("/api/ecos/\(id)/cancel", ["reason": "duplicate"], headers: dispatcher.headers).status == .ok)
            for action in ["complete", "close", "reopen"] {
                let refused = try await client.post("/api/ecos/\(id)/interventions", ["action": action, "reason": "try"], headers: dispatcher.headers)
                #expect(refused.status == .conflict, "\(action)")
                #expect(refused.text.contains("CANCELLED"), "\(action): \(refused.text)")
            }
        }
    }

    @Test func onlyTheNocsDispatchersAndAdminsIntervene() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let id = try await Self.open(client, try await client.signIn("noc-dispatcher").headers)
            let body = ["action": "close", "reason": "not theirs"]
            #expect(try await client.post("/api/ecos/\(id)/interventions", body, headers: try await client.signIn("noc-viewer").headers).status == .forbidden)
            #expect(try await client.post("/api/ecos/\(id)/interventions", body, headers: try await client.signIn("osp-admin").headers).status == .forbidden)
            #expect(try await api.world.store.load(Eco.self, id: id).state.status == .open)
        }
    }

    // MARK: Helpers

    static func open(_ client: some TestClientProtocol, _ headers: HTTPFields) async throws -> String {
        let made = try await client.post("/api/ecos", EcoAPITests.cut, headers: headers)
        return try #require((made.json["eco"] as? [String: Any])?["id"] as? String)
    }

    /// The commands a worker would run on the ECO, in order.
    static func run(_ commands: [EcoCommand], on id: String, _ api: APIWorld) async throws {
        for command in commands {
            try await api.world.store.execute(command, on: EcoID(id), actor: .system("test"), expectedVersion: nil)
        }
    }
}
