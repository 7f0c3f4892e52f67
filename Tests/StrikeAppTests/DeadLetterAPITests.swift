import Foundation
import Hummingbird
import HummingbirdTesting
import StrikeCore
import StrikeRuntime
import StrikeStore
import StrikeTestSupport
import Synchronization
import Testing

/// A worker that fails on ECO events until it is told the cause is fixed.
private final class FlakyWorker: EventConsumer {
    let name = "flaky"
    let fixed = Mutex(false)
    let handled = Mutex<[Int64]>([])

    func wants(_ event: RecordedEvent) -> Bool { event.streamType == "eco" }

    func handle(_ event: RecordedEvent, _ context: ConsumerContext) async throws {
        guard fixed.withLock({ $0 }) else { throw FlakyFailure() }
        handled.withLock { $0.append(event.position) }
    }
}

private struct FlakyFailure: Error {}

/// The owner sees parked events and sends them back to their worker through the API, while the appliance runs.
@Suite struct DeadLetterAPITests {
    @Test func theOwnerListsParkedEventsAndRequestsTheirRedelivery() async throws {
        let api = try await APIWorld.make()
        let created = try await api.world.createEco()
        let worker = FlakyWorker()
        var configuration = ConsumerRunner.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10), maxDelay: .milliseconds(10))
        let runner = ConsumerRunner(store: api.world.store, consumers: [worker], configuration: configuration)
        try await runner.drain()

        try await api.test { client in
            let owner = try await client.signIn("owner")
            let parked = try await client.get("/api/dead-letters", headers: owner.headers).jsonArray
            #expect(parked.map { $0["consumer"] as? String } == ["flaky"])
            let position = try #require(parked.first?["position"] as? Int)
            #expect(Int64(position) == created.events.first?.position)

            #expect(try await client.send(.post, "/api/dead-letters/retry", ["consumer": "other"], headers: owner.headers).json["requested"] as? Int == 0)
            let unknown = try await client.send(.post, "/api/dead-letters/retry", ["everything": true], headers: owner.headers)
            #expect(unknown.problemFields == ["everything"])
            let retried = try await client.send(.post, "/api/dead-letters/retry", ["position": position], headers: owner.headers)
            #expect(retried.json["requested"] as? Int == 1, "\(retried.text)")
        }
        worker.fixed.withLock { $0 = true }
        try await runner.drain()
        #expect(worker.handled.withLock { $0 } == [Int64(created.events.first!.position)])
        #expect(try await api.world.store.deadLetters().isEmpty)
    }
}
