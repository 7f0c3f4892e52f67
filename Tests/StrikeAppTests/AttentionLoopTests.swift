import Foundation
import StrikeCore
import StrikeSimulator
import StrikeTestSupport
import Testing

/// The NOC's loop on the whole appliance (workers, simulators, the live clock), read through the API: what needs
/// a person appears on the attention list, is acknowledged by name, and leaves when its cause is gone; the
/// acceptance timeout, the paging alert and the operator's manual dispatch; one call at a time per person.
@Suite(.serialized) struct AttentionLoopTests {
    @Test func aPagerExhaustedEcoNeedsAPersonIsAcknowledgedByNameAndLeavesWhenRetried() async throws {
        let live = try await LiveAppliance.start(defaultScenario: .pagerExhausted)
        defer { Task { await live.stop() } }
        let id = try await live.createEco("Cut nobody takes")
        try await live.run(id, to: "OPEN", "FAILED")

        let list = try await live.request("GET", "/api/attention").json
        let item = try #require((list["items"] as? [[String: Any]])?.first)
        #expect((item["eco"] as? [String: Any])?["id"] as? String == id)
        #expect(Self.causes(item) == ["NEEDS_ESCALATION"])
        #expect(((item["causes"] as? [[String: Any]])?.first?["detail"] as? String)?.contains("no contact of the list accepted") == true)
        #expect(item["acknowledged"] as? Bool == false)
        #expect(list["unacknowledged"] as? Int == 1)

        let acknowledged = try await live.request("POST", "/api/attention/\(id)/acknowledge", [:])
        #expect(acknowledged.status == 200, "\(String(decoding: acknowledged.body, as: UTF8.self))")
        #expect(acknowledged.json["acknowledged"] as? Bool == true)
        #expect(acknowledged.json["acknowledgedBy"] as? String == "token: e2e", "who, in words")
        #expect(acknowledged.json["acknowledgedAt"] as? String != nil)
        let again = try await live.request("POST", "/api/attention/\(id)/acknowledge", [:])
        #expect(again.status == 409)
        let stillListed = try await live.request("GET", "/api/attention").json
        #expect((stillListed["items"] as? [[String: Any]])?.count == 1, "an acknowledged item stays until its cause is gone")
        #expect(stillListed["unacknowledged"] as? Int == 0)
        let acknowledgement = try await live.timelineEntries(id).last { $0["type"] as? String == "EcoAttentionAcknowledged" }
        #expect(acknowledgement?["actorName"] as? String == "token: e2e")

        // The operator retries: paging again, the cause is gone; exhausted again, it is back, unacknowledged.
        #expect(try await live.request("POST", "/api/ecos/\(id)/retry", [:]).status == 200)
        #expect(try await Self.items(live).isEmpty)
        try await live.run(until: "paged out again") { try await Self.items(live).count == 1 }
        #expect(try await Self.items(live).first?["acknowledged"] as? Bool == false)
    }

    @Test func anAcceptedCalloutWithoutFieldMovementNeedsAPersonAfterTheOSPsAcceptanceTimeout() async throws {
        let live = try await LiveAppliance.start()
        defer { Task { await live.stop() } }
        try await Self.set(live, settings: ["acceptanceTimeoutMinutes": 5], renderPollSeconds: 3600)
        let id = try await live.createEco("Cut the crew never reaches")
        try await live.run(id, to: "OPEN", "DISPATCHED")
        let acceptedAt = try #require((try await live.eco(id)["integration"] as? [String: Any])?["changedAt"] as? String)

        try await live.run(until: "acceptance overdue", step: .seconds(1)) { try await Self.items(live).first.map(Self.causes) == ["ACCEPTANCE_OVERDUE"] }
        let item = try #require(try await Self.items(live).first)
        let since = try #require(ISO8601.date(from: item["since"] as? String ?? ""))
        let accepted = try #require(ISO8601.date(from: acceptedAt))
        #expect(since.timeIntervalSince(accepted) >= 300, "not before the OSP's five minutes")
        #expect(since.timeIntervalSince(accepted) < 330)
        #expect(try await live.state(id).integration == "DISPATCHED", "without re-page, nobody is called again")
        #expect(try await live.pagerRuns(id).count == 1)

        // The next poll, an hour on, finds the work moved (done, by then): the cause is gone.
        try await live.run(id, to: "COMPLETED", step: .seconds(5), limit: .seconds(7200))
        #expect(try await Self.items(live).isEmpty)
    }

    @Test func withRepageTheAcceptanceTimeoutRunsThePagerListAgain() async throws {
        let live = try await LiveAppliance.start()
        defer { Task { await live.stop() } }
        try await Self.set(live, settings: ["acceptanceTimeoutMinutes": 5, "repageOnAcceptanceTimeout": true], renderPollSeconds: 3600)
        let id = try await live.createEco("Cut paged twice")
        try await live.run(id, to: "OPEN", "DISPATCHED")
        try await live.run(until: "a second pager run", step: .seconds(1)) { try await live.pagerRuns(id).count == 2 }
        try await live.run(until: "accepted again") {
            let accepted = try await live.pagerRuns(id).last?["outcome"] as? String == "DISPATCHED"
            let integration = try await live.state(id).integration
            return accepted && integration == "DISPATCHED"
        }
        let timeline = try await SimulatorScenarioTests.timeline(live, id)
        let overdue = try #require(timeline.firstIndex(of: "EcoAttentionRaised"))
        #expect(Array(timeline[overdue...].prefix(3)) == ["EcoAttentionRaised", "EcoIntegrationStatusChanged:TASKED", "PagerRunStarted"])
        let repaged = try await live.timelineEntries(id).first {
            $0["type"] as? String == "EcoIntegrationStatusChanged" && ($0["payload"] as? [String: Any])?["reason"] as? String != nil
        }
        #expect((repaged?["payload"] as? [String: Any])?["reason"] as? String == "paged again: accepted, but no field movement in 5 minutes; paging the list again")
        #expect(try await Self.items(live).isEmpty, "a new acceptance ends the cause")
    }

    @Test func pagingPastTheOSPsAlertThresholdNeedsAPersonUntilThePagingEnds() async throws {
        let live = try await LiveAppliance.start(defaultScenario: .pagerTimeout)
        defer { Task { await live.stop() } }
        try await Self.set(live, settings: ["pagingAlertMinutes": 1, "contactTimeoutSeconds": 60])
        let id = try await live.createEco("Cut nobody answers")
        try await live.run(until: "paging overdue", step: .seconds(1)) { try await Self.items(live).first.map(Self.causes) == ["PAGING_OVERDUE"] }
        #expect(try await live.state(id).integration == "TASKED")
        try await live.run(id, to: "OPEN", "FAILED", step: .seconds(1))
        #expect(try await Self.items(live).first.map(Self.causes) == ["NEEDS_ESCALATION"], "paging ended: that cause is gone, exhaustion is the new one")

        // Each of the three calls lasted the OSP's 60 seconds, not the default 30.
        let attempts = try await live.pagerRuns(id).first?["attempts"] as? [[String: Any]] ?? []
        let placed = attempts.filter { $0["kind"] as? String == "CALLING" }.compactMap { ISO8601.date(from: $0["at"] as? String ?? "") }
        let timedOut = attempts.filter { $0["kind"] as? String == "TIMEOUT" }.compactMap { ISO8601.date(from: $0["at"] as? String ?? "") }
        #expect(placed.count == 3 && timedOut.count == 3)
        for (from, to) in zip(placed, timedOut) {
            #expect(to.timeIntervalSince(from) >= 60 && to.timeIntervalSince(from) < 70, "\(from) → \(to)")
        }
    }

    @Test func listRepeatsCallTheWholeListAgain() async throws {
        let live = try await LiveAppliance.start(defaultScenario: .pagerExhausted)
        defer { Task { await live.stop() } }
        try await Self.set(live, settings: ["listRepeats": 1])
        let id = try await live.createEco("Cut declined twice over")
        try await live.run(id, to: "OPEN", "FAILED")
        #expect(SimulatorScenarioTests.endings(try await live.pagerRuns(id).first) == Array(repeating: "DECLINED", count: 6))
    }

    @Test func aManualDispatchStopsThePagerRunAndEndsItsLiveCall() async throws {
        let live = try await LiveAppliance.start(defaultScenario: .pagerTimeout)
        defer { Task { await live.stop() } }
        let id = try await live.createEco("Cut the supervisor calls back about")
        try await live.run(until: "the first call is placed") {
            (try await live.pagerRuns(id).first?["attempts"] as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "CALLING" }
        }
        let dispatched = try await live.request(
            "POST", "/api/ecos/\(id)/interventions",
            ["action": "dispatch", "acceptedBy": "Dana Reyes", "reason": "Dana called the NOC back and took it"])
        #expect(dispatched.status == 200, "\(String(decoding: dispatched.body, as: UTF8.self))")
        #expect((dispatched.json["eco"] as? [String: Any])?["acceptedBy"] as? String == "Dana Reyes")

        try await live.run(until: "the run stopped") { try await live.pagerRuns(id).first?["outcome"] as? String == "CANCELLED" }
        try await live.run(until: "the live call ended") {
            let calls = try await live.simulated(id)["calls"] as? [[String: Any]] ?? []
            return !calls.isEmpty && calls.allSatisfy { $0["endedAt"] != nil }
        }
        let run = try #require(try await live.pagerRuns(id).first)
        let attempts = (run["attempts"] as? [[String: Any]] ?? []).count
        _ = try await live.driver.run(step: .seconds(1), limit: .seconds(60)) { false }  // two contact timeouts pass
        #expect((try await live.pagerRuns(id).first?["attempts"] as? [[String: Any]] ?? []).count == attempts, "nobody else is called")
        #expect(try await live.state(id).integration == "DISPATCHED")
        let intervention = try #require(try await live.timelineEntries(id).first { $0["type"] as? String == "EcoInterventionRecorded" })
        #expect((intervention["payload"] as? [String: Any])?["reason"] as? String == "Dana called the NOC back and took it")
        #expect(intervention["actorName"] as? String == "token: e2e")
    }

    @Test func completingOrClosingAPagingEcoByHandStopsItsPagerRun() async throws {
        let live = try await LiveAppliance.start(defaultScenario: .pagerTimeout)
        defer { Task { await live.stop() } }
        for (action, reason) in [("complete", "the ECO was completed"), ("close", "the ECO was closed")] {
            let id = try await live.createEco("Cut fixed before anyone answered (\(action))")
            try await live.run(until: "the first call is placed") {
                (try await live.pagerRuns(id).first?["attempts"] as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "CALLING" }
            }
            let done = try await live.request("POST", "/api/ecos/\(id)/interventions", ["action": action, "reason": "the crew found it first"])
            #expect(done.status == 200, "\(String(decoding: done.body, as: UTF8.self))")
            try await live.run(until: "the run stopped") { try await live.pagerRuns(id).first?["outcome"] as? String == "CANCELLED" }
            #expect(try await live.pagerRuns(id).first?["reason"] as? String == reason)
        }
    }

    @Test func twoEcosPagingTheSameListAtOnceNeverRingOnePersonTwice() async throws {
        let live = try await LiveAppliance.start(defaultScenario: .pagerTimeout)
        defer { Task { await live.stop() } }
        async let first = live.createEco("First cut on the list")
        async let second = live.createEco("Second cut on the list", longitude: -104.98)
        let ids = try await [first, second]
        try await live.run(until: "both exhausted", step: .seconds(1)) { try await live.states(ids).values.allSatisfy { $0.integration == "FAILED" } }

        var calls: [(contact: String, from: String, to: String)] = []
        var skippedFirst = 0
        for id in ids {
            let run = try await live.pagerRuns(id).first
            let attempts = run?["attempts"] as? [[String: Any]] ?? []
            let called = attempts.filter { $0["kind"] as? String == "CALLING" }.compactMap { $0["contactName"] as? String }
            #expect(Set(called) == Set(LiveAppliance.contacts.map(\.name)) && called.count == 3, "every contact called once, the busy one later: \(called)")
            if attempts.first?["kind"] as? String == "ON_ANOTHER_CALLOUT" {
                skippedFirst += 1
                let busy = attempts.first?["contactName"] as? String
                #expect(called.first != busy, "the run moved to the next contact")
                #expect(called.contains(busy ?? ""), "and came back to them")
            }
            calls += SimulatorLoadAndRestartTests.calls(of: run)
        }
        #expect(skippedFirst == 1, "exactly one of the two runs found the first contact on the other's call")
        for (contact, theirs) in Dictionary(grouping: calls, by: \.contact) {
            let ordered = theirs.sorted { $0.from < $1.from }
            for (earlier, later) in zip(ordered, ordered.dropFirst()) {
                #expect(earlier.to <= later.from, "\(contact) was rung for both ECOs at once")
            }
        }
    }

    // MARK: Helpers

    static func items(_ live: LiveAppliance) async throws -> [[String: Any]] {
        try await live.request("GET", "/api/attention").json["items"] as? [[String: Any]] ?? []
    }

    static func causes(_ item: [String: Any]) -> [String] {
        (item["causes"] as? [[String: Any]] ?? []).compactMap { $0["cause"] as? String }
    }

    /// The OSP's settings, and its Render instance's poll interval, through the API as its admin.
    static func set(_ live: LiveAppliance, settings: [String: Any], renderPollSeconds: Int? = nil) async throws {
        let changed = try await live.request("PATCH", "/api/settings", settings, asOSP: true)
        #expect(changed.status == 200, "\(String(decoding: changed.body, as: UTF8.self))")
        guard let renderPollSeconds else { return }
        var instance = try await live.request("GET", "/api/render-instance", asOSP: true).json
        for key in ["clientSecretSet", "updatedAt"] { instance.removeValue(forKey: key) }
        instance["pollIntervalSeconds"] = renderPollSeconds
        let put = try await live.request("PUT", "/api/render-instance", instance, asOSP: true)
        #expect(put.status == 200, "\(String(decoding: put.body, as: UTF8.self))")
    }
}
