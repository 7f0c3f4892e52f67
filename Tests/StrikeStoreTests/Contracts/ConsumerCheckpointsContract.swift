import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("ConsumerCheckpoints contract") struct ConsumerCheckpointsContract {
    @Test(arguments: StoreEngine.allCases)
    func aCheckpointOnlyMovesForwardAndLagIsCountedFromTheEndOfTheLog(_ engine: StoreEngine) async throws {
        let store = try await engine.open().store
        let checkpoints: any ConsumerCheckpoints = store
        #expect(try await checkpoints.checkpoint(of: "render") == 0)
        for n in 1...3 {
            guard case .created = try await store.createEco(
                TestWorld.draft("ECO \(n)"), actor: TestWorld.actor, ecoID: EcoID("eco-\(n)"), idempotency: nil, correlationID: nil)
            else { throw ContractFailure("not created") }
        }
        let last = try await store.lastPosition()
        try await checkpoints.advanceCheckpoint(of: "render", to: last - 1)
        try await checkpoints.advanceCheckpoint(of: "render", to: 1)
        #expect(try await checkpoints.checkpoint(of: "render") == last - 1, "never back")
        let lag = try await checkpoints.consumerLag()
        #expect(lag.map(\.consumer) == ["render"])
        #expect(lag.map(\.lag) == [1])
    }

    @Test(arguments: StoreEngine.allCases)
    func aDeadLetterWaitsForARetryAndCountsItsAttempts(_ engine: StoreEngine) async throws {
        let store = try await engine.open().store
        let checkpoints: any ConsumerCheckpoints = store
        guard case .created(let created) = try await store.createEco(
            TestWorld.draft(), actor: TestWorld.actor, ecoID: EcoID("eco-1"), idempotency: nil, correlationID: nil)
        else { throw ContractFailure("not created") }
        let event = try #require(created.events.first)
        try await checkpoints.park(event, consumer: "pager", error: "Twilio said no", attempts: 5, movingCheckpoint: true)
        #expect(try await checkpoints.checkpoint(of: "pager") == event.position)
        #expect(try await checkpoints.deadLetters().map(\.attempts) == [5])
        #expect(try await checkpoints.retriesRequested(consumer: "pager").isEmpty, "nothing asked yet")
        #expect(try await checkpoints.requestDeadLetterRetry(consumer: "render", position: nil) == 0, "another consumer's")
        #expect(try await checkpoints.requestDeadLetterRetry(consumer: "pager", position: event.position) == 1)
        #expect(try await checkpoints.retriesRequested(consumer: "pager").map(\.position) == [event.position])
        try await checkpoints.park(event, consumer: "pager", error: "still no", attempts: 5, movingCheckpoint: true)
        let parked = try await checkpoints.deadLetters()
        #expect(parked.map(\.attempts) == [10])
        #expect(parked.map(\.error) == ["still no"])
        #expect(parked.first?.retryRequestedAt == nil, "a failed retry waits to be asked again")
        try await checkpoints.clearDeadLetter(consumer: "pager", position: event.position)
        #expect(try await checkpoints.deadLetters().isEmpty)
    }
}
