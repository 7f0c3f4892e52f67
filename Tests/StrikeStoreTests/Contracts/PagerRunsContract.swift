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

    @Test(arguments: StoreEngine.allCases)
    func aPhoneOneLiveRunIsRingingIsRefusedToAnotherUntilThatRunMovesOn(_ engine: StoreEngine) async throws {
        let (open, clock, _, process) = try await started(engine)
        let store = open.store
        let runs: any PagerRuns = store
        #expect(try await runs.ringingPhones(except: nil) == ["+14155550100"])
        #expect(try await runs.ringingPhones(except: process.runID).isEmpty, "a run's own call is not another's")

        guard case .created(let other) = try await store.createEco(
            TestWorld.draft(), actor: TestWorld.actor, ecoID: EcoID("eco-2"), idempotency: nil, correlationID: nil),
            let otherID = other.state.id
        else { throw ContractFailure("not created") }
        _ = try await store.execute(.markTasked(renderTaskID: "T-2"), on: otherID, actor: TestWorld.actor, expectedVersion: nil)
        let start = { (busy: Set<String>) in
            try PagerProcess.start(
                runID: PagerRunID("run-2"), ecoID: otherID, list: (PagerListID("list-1"), "Nights"), contacts: Self.contacts,
                message: "Second cut", rounds: 1, contactTimeoutSeconds: 30, at: clock.date, busy: busy)
        }
        let (blind, blindSteps) = try start([])
        await #expect(throws: ContactOnAnotherCall.self, "Ana is on run-1's call") {
            try await runs.startPagerRun(blind, steps: blindSteps, noc: TestWorld.noc, actor: .system("pager"), checkpoint: nil)
        }
        #expect(try await runs.livePagerRun(eco: otherID) == nil, "nothing of the refused start was kept")
        let (aware, awareSteps) = try start(try await runs.ringingPhones(except: nil))
        try await runs.startPagerRun(aware, steps: awareSteps, noc: TestWorld.noc, actor: .system("pager"), checkpoint: nil)
        #expect(try await runs.ringingPhones(except: nil) == ["+14155550100", "+14155550101"])

        let (declined, declinedSteps) = process.handle(.digits(attempt: 0, digits: "2"), at: clock.date, busy: ["+14155550101"])
        try await runs.advancePagerRun(declined, from: process.version, steps: declinedSteps, acceptedBy: nil, actor: .system("pager"))
        #expect(declined.waiting, "Bo is on run-2's call, and nobody else is left")
        #expect(try await runs.ringingPhones(except: nil) == ["+14155550101"], "a waiting run rings nobody")
        let later = clock.date.addingTimeInterval(PagerProcess.busyRecheckSeconds)
        #expect(try await runs.overduePagerRuns(at: later).isEmpty, "waiting for Bo, who is still on run-2's call")

        // Run-2 is done with Bo: run-1 can go on, and is due.
        let (cancelled, cancelSteps) = aware.handle(.cancel(reason: "test"), at: later)
        try await runs.advancePagerRun(cancelled, from: aware.version, steps: cancelSteps, acceptedBy: nil, actor: .system("pager"))
        #expect(try await runs.overduePagerRuns(at: later) == [process.runID])
    }
}
