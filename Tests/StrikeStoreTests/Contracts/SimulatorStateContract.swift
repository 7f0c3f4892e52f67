import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("SimulatorState contract") struct SimulatorStateContract {
    @Test(arguments: StoreEngine.allCases)
    func anEcoTakesItsNocsDefaultScenarioOnceAndKeepsItsOwn(_ engine: StoreEngine) async throws {
        let simulator: any SimulatorState = try await engine.open().store
        #expect(try await simulator.simulatorSettings(noc: TestWorld.noc) == SimulatorSettings())
        await #expect(throws: DomainError.self) {
            try await simulator.setSimulatorSettings(SimulatorSettings(defaultScenario: "render-fails", speed: 5000), noc: TestWorld.noc)
        }
        try await simulator.setSimulatorSettings(SimulatorSettings(defaultScenario: "render-fails", speed: 10), noc: TestWorld.noc)
        #expect(try await simulator.simulatedEco(EcoID("eco-1"), noc: TestWorld.noc).scenario == "render-fails")
        try await simulator.setSimulatorSettings(SimulatorSettings(defaultScenario: "happy-path", speed: 10), noc: TestWorld.noc)
        #expect(try await simulator.simulatedEco(EcoID("eco-1"), noc: TestWorld.noc).scenario == "render-fails", "taken once")
        _ = try await simulator.setSimulatedScenario("second-accepts", eco: EcoID("eco-1"), noc: TestWorld.noc)
        #expect(try await simulator.simulatedEcos(noc: TestWorld.noc, limit: 10).map(\.eco.scenario) == ["second-accepts"])
    }

    @Test(arguments: StoreEngine.allCases)
    func fieldStepsArePlayedOnceEachInOneGo(_ engine: StoreEngine) async throws {
        let clock = ManualNow()
        let simulator: any SimulatorState = try await engine.open(clock: clock).store
        let ecoID = EcoID("eco-1")
        _ = try await simulator.simulatedEco(ecoID, noc: TestWorld.noc)
        let task = SimulatedTask(
            id: "T-1", subsector: "ECO-E2-00001-2026", taskType: "ECO", status: .tasked, description: "cut", externalReference: ecoID.rawValue,
            assignee: nil, updatedAt: clock.date)
        try await simulator.addSimulatedTask(task, osp: TestWorld.osp, project: "P-1", eco: ecoID)
        let start = clock.date
        let script: @Sendable (SimulatedEco, Date, [SimulatedTask]) -> [SimulatedFieldStep] = { eco, begun, tasks in
            [
                SimulatedFieldStep(number: 1, due: begun, changes: [.update(taskID: tasks[0].id, status: .allocated, assignee: "Crew 14")]),
                SimulatedFieldStep(
                    number: 2, due: begun,
                    changes: [.clone(original: "T-1", id: "T-1-F", taskType: "splice", description: "more", status: .released, assignee: nil)]),
            ].filter { $0.number > eco.fieldStep }
        }
        try await simulator.playSimulatedField(eco: ecoID, startedAt: start, at: start, script: script)
        try await simulator.playSimulatedField(eco: ecoID, startedAt: nil, at: start, script: script)
        let tasks = try await simulator.simulatedTasks(osp: TestWorld.osp, project: "P-1", subsector: "ECO-E2-00001-2026")
        #expect(tasks.map(\.id) == ["T-1", "T-1-F"], "the clone is made once")
        #expect(tasks.map(\.status) == [.allocated, .released])
        #expect(tasks.first?.assignee == "Crew 14")
        let played = try await simulator.simulatedEco(ecoID, noc: TestWorld.noc)
        #expect(played.fieldStep == 2)
        #expect(played.fieldStartedAt == start)
    }

    @Test(arguments: StoreEngine.allCases)
    func aCallsNumberIsCountedPerEcoAndAnEndedCallStaysEnded(_ engine: StoreEngine) async throws {
        let simulator: any SimulatorState = try await engine.open().store
        func place(_ sid: String) async throws -> SimulatedCall {
            try await simulator.addSimulatedCall(
                sid: sid, noc: TestWorld.noc, eco: EcoID("eco-1"), behavior: { $0 == 1 ? "decline" : "accept" }, to: "+14155550100",
                from: "+14155550199", twiml: "<Response/>", url: nil, statusCallback: URL(string: "http://127.0.0.1/twilio/status"),
                ringSeconds: 20, speed: 1)
        }
        let first = try await place("CA1"), second = try await place("CA2")
        #expect(first.nth == 1)
        #expect(second.nth == 2)
        #expect([first.behavior, second.behavior] == ["decline", "accept"])
        #expect(try await simulator.playingSimulatedCalls().map(\.sid) == ["CA1", "CA2"])
        var ended = first
        ended.status = "completed"
        ended.endedAt = Date()
        #expect(try await simulator.updateSimulatedCall(ended))
        ended.status = "in-progress"
        #expect(try await simulator.updateSimulatedCall(ended) == false, "an ended call stays ended")
        #expect(try await simulator.simulatedCall("CA1")?.status == "completed")
        #expect(try await simulator.playingSimulatedCalls().map(\.sid) == ["CA2"])
    }
}
