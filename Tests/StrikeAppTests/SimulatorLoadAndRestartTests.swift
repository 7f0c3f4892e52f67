import Foundation
import StrikeCore
import StrikeSimulator
import StrikeTestSupport
import Testing

/// Many ECOs at once, and restarts in the middle of the work, against the live appliance and its simulators.
@Suite(.serialized) struct SimulatorLoadAndRestartTests {
    @Test func twentyEcosWithMixedScenariosAllReachTheirEndAndTheDatabaseVerifies() async throws {
        let live = try await LiveAppliance.start(speed: 2)
        defer { Task { await live.stop() } }
        let scenarios = (0..<20).map { SimulatorScenario.allCases[$0 % SimulatorScenario.allCases.count] }
        // Opened together; each gets its scenario before the appliance's clock moves at all.
        let ids = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, scenario) in scenarios.enumerated() {
                group.addTask {
                    let id = try await live.createEco("Cut \(index) (\(scenario.rawValue))", longitude: -104.99 + Double(index) * 0.001)
                    try await live.setScenario(scenario, eco: id)
                    return (index, id)
                }
            }
            var ids = [String](repeating: "", count: scenarios.count)
            for try await (index, id) in group { ids[index] = id }
            return ids
        }

        // The field work and the paging first, a quarter second at a time; then the grace periods, in bigger steps.
        try await live.run(until: "every ECO paged and worked") {
            try await live.states(ids).values.allSatisfy { $0.integration == "FAILED" || ["COMPLETED", "HARD_COMPLETE"].contains($0.status) }
        }
        try await live.run(until: "every ECO at its scenario's end", step: .seconds(30), limit: .seconds(7200)) {
            let states = try await live.states(ids)
            return zip(ids, scenarios).allSatisfy { id, scenario in
                let expected = SimulatorScenarioTests.expected[scenario]!
                return states[id]?.status == expected.status && states[id]?.integration == expected.integration
            }
        }
        // The twenty runs ring the same three supervisors: each plays its scenario on the calls it makes, and a
        // supervisor on one run's call is passed over by the others until free (`ON_ANOTHER_CALLOUT`, left out
        // here), so nobody's phone carries two callouts at once.
        let skip = "ON_ANOTHER_CALLOUT"
        var calls: [(contact: String, from: String, to: String)] = []
        for (id, scenario) in zip(ids, scenarios) {
            let expected = try #require(SimulatorScenarioTests.expected[scenario])
            let timeline = try await SimulatorScenarioTests.timeline(live, id).filter { $0 != "PagerAttemptRecorded:\(skip)" }
            let run = try await live.pagerRuns(id).first
            let endings = SimulatorScenarioTests.endings(run).filter { $0 != skip }
            #expect(timeline == expected.timeline, "\(scenario.rawValue) \(id): \(timeline)")
            #expect(endings == expected.endings, "\(scenario.rawValue) \(id): \(endings)")
            calls += Self.calls(of: run)
        }
        for (contact, theirs) in Dictionary(grouping: calls, by: \.contact) {
            let ordered = theirs.sorted { $0.from < $1.from }
            for (earlier, later) in zip(ordered, ordered.dropFirst()) {
                #expect(earlier.to <= later.from, "\(contact) was rung for two ECOs at once: \(earlier) and \(later)")
            }
        }

        await live.stop()
        let verify = try runProduct("strike", ["verify", "--db", live.directory.path("strike.db")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// Each call a run made: whose phone, from when it was placed to when its ending was recorded.
    static func calls(of run: [String: Any]?) -> [(contact: String, from: String, to: String)] {
        var calls: [(contact: String, from: String, to: String)] = []
        var open: [String: String] = [:]
        for attempt in run?["attempts"] as? [[String: Any]] ?? [] {
            let contact = attempt["contactName"] as? String ?? "", at = attempt["at"] as? String ?? ""
            switch attempt["kind"] as? String {
            case "CALLING": open[contact] = at
            case "RINGING", "ANSWERED", "ON_ANOTHER_CALLOUT": break
            default: if let from = open.removeValue(forKey: contact) { calls.append((contact, from, at)) }
            }
        }
        return calls
    }

    @Test func aRestartWhileAContactIsRingingCallsNobodyTwice() async throws {
        let live = try await LiveAppliance.start(speed: 2, defaultScenario: .secondAccepts)
        defer { Task { await live.stop() } }
        let id = try await live.createEco("Cut during a restart")
        try await live.run(until: "the first contact's phone rings") {
            let attempts = try await live.pagerRuns(id).first?["attempts"] as? [[String: Any]] ?? []
            return attempts.contains { $0["kind"] as? String == "RINGING" }
        }

        try await live.restart()
        try await live.run(id, to: "OPEN", "DISPATCHED")
        // The first call, still playing when the appliance stopped, went on to its decline; the second contact
        // was called once and accepted; nobody else was called.
        #expect(SimulatorScenarioTests.endings(try await live.pagerRuns(id).first) == ["DECLINED", "ACCEPTED"])
        let calls = try await live.simulated(id)["calls"] as? [[String: Any]] ?? []
        #expect(calls.compactMap { $0["to"] as? String } == LiveAppliance.contacts.prefix(2).map(\.phone))
        let callings = try await SimulatorScenarioTests.timeline(live, id).filter { $0 == "PagerAttemptRecorded:CALLING" }
        #expect(callings.count == 2, "one call per attempt")
    }

    @Test func aRestartWhileRenderIsPolledReportsNoOldTaskChangeAgain() async throws {
        let live = try await LiveAppliance.start(speed: 1, defaultScenario: .slowRender)
        defer { Task { await live.stop() } }
        let id = try await live.createEco("Cut during a poll")
        try await live.run(id, to: "IN_PROGRESS")
        let before = try await live.timelineEntries(id).filter { $0["type"] as? String == "EcoTaskChanged" }.count

        try await live.restart()
        try await live.run(id, to: "HARD_COMPLETE", step: .seconds(5), limit: .seconds(7200))
        let timeline = try await SimulatorScenarioTests.timeline(live, id)
        #expect(timeline.filter { $0 == "EcoStatusChanged:IN_PROGRESS" }.count == 1)
        #expect(timeline.filter { $0 == "EcoLateCloneDetected" }.count == 1)
        try await SimulatorScenarioTests.expectEachTaskChangeReportedOnce(live, id)
        let after = try await live.timelineEntries(id).filter { $0["type"] as? String == "EcoTaskChanged" }.count
        #expect(after > before, "the poller went on after the restart")
    }
}
