import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("EventStore contract") struct EventStoreContract {
    private func event(_ n: Int) -> NewEvent {
        NewEvent(type: "TestHappened", schemaVersion: 1, payload: Data("{\"n\":\(n)}".utf8), actor: .system("test"), occurredAt: Date())
    }

    @Test(arguments: StoreEngine.allCases)
    func appendsAtTheExpectedVersionAndRefusesAStaleOne(_ engine: StoreEngine) async throws {
        let events: any EventStore = try await engine.open().store
        let first = try await events.append(streamID: "s-1", streamType: "test", expectedVersion: 0, events: [event(1), event(2)])
        #expect(first.map(\.version) == [1, 2])
        await #expect(throws: VersionConflict(streamID: "s-1", expected: 0, actual: 2)) {
            try await events.append(streamID: "s-1", streamType: "test", expectedVersion: 0, events: [event(3)])
        }
        #expect(try await events.stream("s-1").map(\.payload) == [Data("{\"n\":1}".utf8), Data("{\"n\":2}".utf8)])
        let last = try await events.lastPosition()
        #expect(last == first.last?.position)
        #expect(try await events.events(afterPosition: last - 1, limit: 10).map(\.version) == [2])
    }

    @Test(arguments: StoreEngine.allCases)
    func eachEcoTakesTheOspsNextJobNumberAndARepeatedKeyGetsTheFirstAnswer(_ engine: StoreEngine) async throws {
        let events: any EventStore = try await engine.open().store
        let key = IdempotencyKey(tenantID: TestWorld.noc, key: "k-1", requestHash: "h-1")
        guard case .created(let first) = try await events.createEco(
            TestWorld.draft("first"), actor: TestWorld.actor, ecoID: EcoID("eco-1"), idempotency: key, correlationID: nil)
        else { Issue.record("the first creation was not new"); return }
        try await events.recordIdempotentResponse(key, response: "{\"id\":\"eco-1\"}")
        guard case .replayed(let ecoID, let response) = try await events.createEco(
            TestWorld.draft("first"), actor: TestWorld.actor, ecoID: EcoID("eco-2"), idempotency: key, correlationID: nil)
        else { Issue.record("a repeated key made a second ECO"); return }
        #expect(ecoID == EcoID("eco-1"))
        #expect(response == "{\"id\":\"eco-1\"}")
        await #expect(throws: IdempotencyMismatch.self) {
            try await events.createEco(
                TestWorld.draft("another body"), actor: TestWorld.actor, ecoID: EcoID("eco-3"),
                idempotency: IdempotencyKey(tenantID: TestWorld.noc, key: "k-1", requestHash: "h-2"), correlationID: nil)
        }
        guard case .created(let second) = try await events.createEco(
            TestWorld.draft("second"), actor: TestWorld.actor, ecoID: EcoID("eco-4"), idempotency: nil, correlationID: nil)
        else { Issue.record("the second creation was not new"); return }
        #expect(second.state.jobID.number == first.state.jobID.number + 1, "no gap, even after a refused repeat")
    }

    @Test(arguments: StoreEngine.allCases)
    func aCommandAtAStaleVersionChangesNothing(_ engine: StoreEngine) async throws {
        let events: any EventStore = try await engine.open().store
        guard case .created = try await events.createEco(
            TestWorld.draft(), actor: TestWorld.actor, ecoID: EcoID("eco-1"), idempotency: nil, correlationID: nil)
        else { Issue.record("not created"); return }
        await #expect(throws: VersionConflict.self) {
            try await events.execute(.markTasked(renderTaskID: "T-1"), on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: 7)
        }
        #expect(try await events.load(Eco.self, id: "eco-1").version == 1)
        let tasked = try await events.execute(.markTasked(renderTaskID: "T-1"), on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: 1)
        #expect(tasked.version == 2)
        let loaded = try await events.load(Eco.self, id: "eco-1")
        #expect(loaded.state.integration == .tasked)
        #expect(try await events.replay(Eco.self, id: "eco-1").state == loaded.state)
    }
}
