import Foundation
import GRDB
import StrikeCore
import StrikeRuntime
@testable import StrikeStore
import StrikeTestSupport
import Synchronization
import Testing

/// A consumer of `test` streams that records each delivery and then does what the test tells it.
final class RecordingConsumer: EventConsumer {
    let name: String
    let concurrency: Int
    private let deliveries = Mutex<[Int64]>([])
    private let behaviour: @Sendable (RecordedEvent, ConsumerContext) async throws -> Void

    init(
        name: String = "recorder", concurrency: Int = 1,
        behaviour: @escaping @Sendable (RecordedEvent, ConsumerContext) async throws -> Void = { _, _ in }
    ) {
        self.name = name
        self.concurrency = concurrency
        self.behaviour = behaviour
    }

    var delivered: [Int64] { deliveries.withLock { $0 } }

    func wants(_ event: RecordedEvent) -> Bool { event.streamType == "test" }

    func handle(_ event: RecordedEvent, _ context: ConsumerContext) async throws {
        deliveries.withLock { $0.append(event.position) }
        try await behaviour(event, context)
    }
}

struct Poisoned: Error {}

@Suite struct ConsumerRunnerTests {
    private func appendTestEvents(_ store: StrikeStore, count: Int) async throws -> [Int64] {
        var positions: [Int64] = []
        for n in 0..<count {
            let recorded = try await store.append(
                streamID: "test-\(n)", streamType: "test", expectedVersion: 0,
                events: [NewEvent(type: "TestHappened", schemaVersion: 1, payload: Data("{}".utf8), actor: .system("test"), occurredAt: Date())])
            positions.append(recorded[0].position)
        }
        return positions
    }

    private func fastRetries(_ attempts: Int) -> ConsumerRunner.Configuration {
        var configuration = ConsumerRunner.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: attempts, initialDelay: .milliseconds(100), maxDelay: .seconds(10))
        return configuration
    }

    /// Waits (a few milliseconds at a time, two seconds at most) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
    }

    @Test func anEventHandledButNotCheckpointedIsDeliveredAgainAfterRestart() async throws {
        let world = try await TestWorld.make(seeded: false, clock: .instantSleeps)
        let positions = try await appendTestEvents(world.store, count: 1)

        // Given a consumer that handles the event and is killed before it returns (so before its checkpoint).
        let dying = RecordingConsumer { _, _ in try await Task.sleep(for: .seconds(3600)) }
        let first = ConsumerRunner(store: world.store, consumers: [dying])
        let run = Task { try await first.drain() }
        try await eventually { dying.delivered == positions }
        run.cancel()
        _ = await run.result
        #expect(try await world.store.checkpoint(of: "recorder") == 0)

        // When the appliance starts again, the event is delivered again, then checkpointed once.
        let restarted = RecordingConsumer()
        try await ConsumerRunner(store: world.store, consumers: [restarted]).drain()
        try await ConsumerRunner(store: world.store, consumers: [restarted]).drain()
        #expect(restarted.delivered == positions)
        #expect(try await world.store.checkpoint(of: "recorder") == positions[0])
    }

    @Test func aPoisonEventIsParkedAfterItsAttemptsAndLaterEventsStillArrive() async throws {
        let world = try await TestWorld.make(seeded: false, clock: .instantSleeps)
        let positions = try await appendTestEvents(world.store, count: 3)
        let healed = Mutex(false)
        let consumer = RecordingConsumer { event, _ in
            if event.position == positions[0], !healed.withLock({ $0 }) { throw Poisoned() }
        }
        let runner = ConsumerRunner(store: world.store, consumers: [consumer], configuration: fastRetries(3))

        try await runner.drain()

        #expect(consumer.delivered == [positions[0], positions[0], positions[0], positions[1], positions[2]])
        let parked = try await world.store.deadLetters()
        #expect(parked.map(\.position) == [positions[0]])
        #expect(parked.first?.attempts == 3)
        #expect(parked.first?.error.contains("Poisoned") == true)
        #expect(try await world.store.checkpoint(of: "recorder") == positions[2])

        // When an admin asks for a retry after the cause is fixed, it is redelivered and leaves the table.
        healed.withLock { $0 = true }
        #expect(try await world.store.requestDeadLetterRetry() == 1)
        try await runner.drain()
        #expect(consumer.delivered.suffix(1) == [positions[0]])
        #expect(try await world.store.deadLetters().isEmpty)
        #expect(try await world.store.checkpoint(of: "recorder") == positions[2])
    }

    /// A consumer that may handle several streams at once is not held up by one slow stream: the others are
    /// handled meanwhile, each stream's events still in order, and the checkpoint moves only once the whole
    /// batch is handled, so a crash before then redelivers the slow stream's event rather than skipping it.
    @Test func aConcurrentConsumerHandlesOtherStreamsWhileOneIsSlowAndCheckpointsAfterTheBatch() async throws {
        let world = try await TestWorld.make(seeded: false, clock: .instantSleeps)
        var positions = try await appendTestEvents(world.store, count: 4)
        let second = try await world.store.append(
            streamID: "test-0", streamType: "test", expectedVersion: 1,
            events: [NewEvent(type: "TestHappened", schemaVersion: 1, payload: Data("{}".utf8), actor: .system("test"), occurredAt: Date())])
        positions.append(second[0].position)
        let slow = positions[0]
        let release = Mutex(false)
        let consumer = RecordingConsumer(concurrency: 4) { event, context in
            if event.position == slow {
                while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
            }
            try await context.write { _ in }
        }
        let runner = ConsumerRunner(store: world.store, consumers: [consumer])
        let draining = Task { try await runner.drain() }

        // While the first stream's first event is held, the three other streams are handled.
        try await eventually { Set(consumer.delivered) == Set([slow] + positions[1...3]) }
        #expect(Set(consumer.delivered) == Set([slow] + positions[1...3]))
        #expect(!consumer.delivered.contains(positions[4]), "the slow stream's second event waits for its first")
        #expect(try await world.store.checkpoint(of: "recorder") == 0, "no checkpoint past an event still being handled")

        release.withLock { $0 = true }
        try await draining.value
        #expect(consumer.delivered.last == positions[4])
        #expect(try await world.store.checkpoint(of: "recorder") == positions[4])
    }

    @Test func aConsumersWriteAndItsCheckpointCommitTogether() async throws {
        let world = try await TestWorld.make(seeded: false, clock: .instantSleeps)
        try await world.rawSQL("CREATE TABLE consumer_effect (position INTEGER PRIMARY KEY)")
        let positions = try await appendTestEvents(world.store, count: 2)
        let writer = RecordingConsumer(name: "writer") { event, context in
            let position = event.position
            try await context.write { db in
                try db.execute(sql: "INSERT INTO consumer_effect VALUES (?)", arguments: [position])
                if position == positions[1] { throw Poisoned() }
            }
        }

        try await ConsumerRunner(store: world.store, consumers: [writer], configuration: fastRetries(1)).drain()

        // The failed write left no effect behind; the event is parked, not lost.
        let effects = try await world.store.writer.read { db in try Int64.fetchAll(db, sql: "SELECT position FROM consumer_effect") }
        #expect(effects == [positions[0]])
        #expect(try await world.store.deadLetters().map(\.position) == [positions[1]])
    }

    @Test func aCommitWakesARunningConsumerWithoutWaitingForThePoll() async throws {
        let world = try await TestWorld.make(seeded: false, clock: .instantSleeps)
        let consumer = RecordingConsumer()
        var configuration = ConsumerRunner.Configuration()
        configuration.pollInterval = .seconds(3600)
        let runner = ConsumerRunner(store: world.store, consumers: [consumer], configuration: configuration)
        let service = Task { try await runner.run() }
        defer { service.cancel() }
        try await eventually { !runner.heartbeats.all().isEmpty }

        let positions = try await appendTestEvents(world.store, count: 1)

        try await eventually { consumer.delivered == positions }
        #expect(consumer.delivered == positions)
    }

    @Test func anIdleConsumerWaitsAndStillWakesOnCommitAfterItsPollsTimedOut() async throws {
        let clock = ManualClock()
        let world = try await TestWorld.make(seeded: false, clock: .stepped(clock, from: Date()))
        let consumer = RecordingConsumer()
        var configuration = ConsumerRunner.Configuration()
        configuration.pollInterval = .seconds(10)
        let runner = ConsumerRunner(store: world.store, consumers: [consumer], configuration: configuration)
        let service = Task { try await runner.run() }
        defer { service.cancel() }

        // Given the consumer idled through two polls that timed out...
        for _ in 0..<2 {
            try await eventually { clock.sleeperCount == 1 }
            clock.advance(by: .seconds(10))
        }
        try await eventually { clock.sleeperCount == 1 }

        // ...it is waiting, not spinning: one sleep per wait (three so far), not one per loop turn...
        try await Task.sleep(for: .milliseconds(50))
        #expect(clock.sleepsStarted == 3)

        // ...and a commit still wakes it, with no further tick of the clock.
        let positions = try await appendTestEvents(world.store, count: 1)
        try await eventually { consumer.delivered == positions }
        #expect(consumer.delivered == positions)
        try await eventually { clock.sleeperCount == 1 }
        #expect(clock.sleepsStarted == 4)
    }
}
