import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("RenderPolls contract") struct RenderPollsContract {
    @Test(arguments: StoreEngine.allCases)
    func aDispatchedEcoIsFollowedAndOnlyAPollThatFindsAChangeMovesItsLastChange(_ engine: StoreEngine) async throws {
        let clock = ManualNow()
        let store = try await engine.open(clock: clock).store
        guard case .created(let created) = try await store.createEco(
            TestWorld.draft(), actor: TestWorld.actor, ecoID: EcoID("eco-1"), idempotency: nil, correlationID: nil),
            let ecoID = created.state.id
        else { throw ContractFailure("not created") }
        let polls: any RenderPolls = store
        #expect(try await polls.followedEcos().isEmpty, "not dispatched yet")
        _ = try await store.execute(.markTasked(renderTaskID: "T-1"), on: ecoID, actor: TestWorld.actor, expectedVersion: nil)
        _ = try await store.execute(.markDispatched(pagerRunID: .random(), acceptedBy: "Ana"), on: ecoID, actor: TestWorld.actor, expectedVersion: nil)
        #expect(try await polls.followedEcos().map(\.eco) == [ecoID])
        #expect(try await polls.followedEcos().map(\.osp) == [TestWorld.osp])
        #expect(try await polls.lastFieldChange(of: ecoID) == nil)

        let first = clock.date
        let task = EcoTaskChanged(taskID: "T-1", status: .allocated, assignee: "Crew 14", fingerprint: "f-1")
        try await polls.recordPoll(of: ecoID, commands: [.recordTaskChange(task)], at: first, actor: .system("poller"))
        #expect(try await polls.lastFieldChange(of: ecoID) == first)
        clock.advance(seconds: 600)
        try await polls.recordPoll(of: ecoID, commands: [.recordTaskChange(task)], at: clock.date, actor: .system("poller"))
        #expect(try await polls.lastFieldChange(of: ecoID) == first, "the same task again is no change")
        try await polls.recordPoll(of: ecoID, commands: [.flagStale(quietSince: first)], at: clock.date, actor: .system("poller"))
        #expect(try await polls.lastFieldChange(of: ecoID) == first, "flagging it stale is no field change")
        #expect(try await store.load(Eco.self, id: ecoID.rawValue).state.isStale)
    }
}
