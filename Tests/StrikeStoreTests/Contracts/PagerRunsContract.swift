import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("PagerRuns contract") struct PagerRunsContract {
    private static let contacts = [PagerContact(name: "Ana", phone: "+14155550100"), PagerContact(name: "Bo", phone: "+14155550101")]

    /// A store holding a tasked ECO whose run has started: the store, its clock, the ECO and the run's process.
    private func started(_ engine: StoreEngine) async throws -> (OpenStore, ManualNow, EcoID, PagerProcess) {
        let clock = ManualNow()
        let open = try await engine.open(clock: clock)
        guard case .created(let created) = try await open.store.createEco(
            TestWorld.draft(), actor: TestWorld.actor, ecoID: EcoID("eco-1"), idempotency: nil, correlationID: nil),
            let ecoID = created.state.id
        else { throw ContractFailure("not created") }
        _ = try await open.store.execute(.markTasked(renderTaskID: "T-1"), on: ecoID, actor: TestWorld.actor, expectedVersion: nil)
        let (process, steps) = try PagerProcess.start(
            runID: PagerRunID("run-1"), ecoID: ecoID, list: (PagerListID("list-1"), "Nights"), contacts: Self.contacts,
            message: "Fiber cut on Main St", rounds: 1, contactTimeoutSeconds: 30, at: clock.date)
        try await open.store.startPagerRun(process, steps: steps, noc: TestWorld.noc, actor: .system("pager"), checkpoint: nil)
        return (open, clock, ecoID, process)
    }

    @Test(arguments: StoreEngine.allCases)
    func aRunStartsOncePerEcoWithItsStartRecordedAndComesDueAtItsDeadline(_ engine: StoreEngine) async throws {
        let (open, clock, ecoID, process) = try await started(engine)
        let store = open.store
        let runs: any PagerRuns = store
        #expect(try await runs.pagerProcess(process.runID) == StoredPagerProcess(process: process, nocTenantID: TestWorld.noc))
        #expect(try await runs.livePagerRun(eco: ecoID) == process.runID)
        #expect(try await runs.pagerRunMessage(process.runID) == "Fiber cut on Main St")
        #expect(try await store.pagerRuns(of: ecoID).map(\.run.contacts) == [Self.contacts], "the start is recorded from the process")
        let (second, secondSteps) = try PagerProcess.start(
            runID: PagerRunID("run-2"), ecoID: ecoID, list: (PagerListID("list-1"), "Nights"), contacts: Self.contacts, message: "again",
            rounds: 1, contactTimeoutSeconds: 30, at: clock.date)
        await #expect(throws: (any Error).self, "one live run per ECO") {
            try await runs.startPagerRun(second, steps: secondSteps, noc: TestWorld.noc, actor: .system("pager"), checkpoint: nil)
        }
        #expect(try await runs.overduePagerRuns(at: clock.date.addingTimeInterval(29)).isEmpty)
        #expect(try await runs.overduePagerRuns(at: clock.date.addingTimeInterval(30)) == [process.runID])
    }

    @Test(arguments: StoreEngine.allCases)
    func aStaleProcessIsRefusedAndAnAcceptanceDispatchesTheEco(_ engine: StoreEngine) async throws {
        let (open, clock, ecoID, process) = try await started(engine)
        let store = open.store
        let runs: any PagerRuns = store
        let (placed, placedSteps) = process.handle(.placed(attempt: 0, callSid: "CA1"), at: clock.date)
        try await runs.advancePagerRun(placed, from: process.version, steps: placedSteps, acceptedBy: nil, actor: .system("pager"))
        await #expect(throws: VersionConflict.self) {
            try await runs.advancePagerRun(placed, from: process.version, steps: placedSteps, acceptedBy: nil, actor: .system("pager"))
        }
        let (accepted, acceptedSteps) = placed.handle(.digits(attempt: 0, digits: "1"), at: clock.date)
        try await runs.advancePagerRun(accepted, from: placed.version, steps: acceptedSteps, acceptedBy: "Ana", actor: .system("pager"))
        #expect(try await runs.livePagerRun(eco: ecoID) == nil, "finished")
        let eco = try await store.load(Eco.self, id: ecoID.rawValue).state
        #expect(eco.integration == .dispatched)
        #expect(eco.acceptedBy == "Ana")
        #expect(try await store.pagerRuns(of: ecoID).first?.attempts.map(\.kind) == [.calling, .accepted])
    }
}
