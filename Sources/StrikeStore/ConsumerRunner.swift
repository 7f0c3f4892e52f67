import Foundation
import GRDB
public import Logging
public import ServiceLifecycle
import StrikeCore
public import StrikeRuntime
import Synchronization

/// Delivers the log to each consumer from its checkpoint: woken after every commit, with a slow poll as a
/// safety net; failing events are retried with backoff, then parked in `dead_letter`.
public final class ConsumerRunner: Service {
    public struct Configuration: Sendable {
        public var batchSize = 100
        public var pollInterval = Duration.seconds(1)
        public var retry = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(200), maxDelay: .seconds(30))
        public init() {}
    }

    private let store: StrikeStore
    private let consumers: [any EventConsumer]
    private let configuration: Configuration
    private let clock: ApplianceClock
    private let logger: Logger
    /// Each consumer beats as `consumer NAME` on every batch, every attempt at an event (through
    /// `WorkerProgress`, so the retries of the clients it calls count too) and every idle wake-up.
    public let heartbeats: Heartbeats

    public init(
        store: StrikeStore, consumers: [any EventConsumer], configuration: Configuration = Configuration(),
        heartbeats: Heartbeats? = nil, logger: Logger = .strike("consumers")
    ) {
        self.store = store
        self.consumers = consumers
        self.configuration = configuration
        self.clock = store.clock
        self.heartbeats = heartbeats ?? Heartbeats(clock: store.clock)
        self.logger = logger
    }

    public var consumerNames: [String] { consumers.map(\.name) }

    /// The name a consumer beats under.
    public static func worker(_ consumer: String) -> String { "consumer \(consumer)" }

    public func run() async throws {
        guard !consumers.isEmpty else {
            // Nothing to deliver yet, but a service that returns early would stop the whole appliance.
            try await gracefulShutdown()
            return
        }
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                for consumer in self.consumers {
                    let worker = Self.worker(consumer.name), heartbeats = self.heartbeats
                    group.addTask {
                        try await WorkerProgress.$current.withValue(WorkerProgress { heartbeats.beat(worker) }) { try await self.loop(consumer) }
                    }
                }
            }
        }
    }

    /// Delivers everything pending to every consumer once, then returns (tests and tools).
    public func drain() async throws {
        for consumer in consumers {
            while try await deliverBatch(to: consumer) {}
        }
    }

    private func loop(_ consumer: any EventConsumer) async throws {
        let wakeUp = store.commits.subscribe()
        heartbeats.register(Self.worker(consumer.name))
        while !Task.isCancelled {
            do {
                if try await deliverBatch(to: consumer) { continue }
            } catch is CancellationError {
                return
            } catch {
                logger.error("consumer failed to read the log", metadata: ["consumer": "\(consumer.name)", "error": "\(error)"])
            }
            _ = await wakeUp.wait(upTo: configuration.pollInterval, on: clock)
        }
    }

    /// Redelivers requested dead letters, then the next batch after the checkpoint. True if there was work.
    func deliverBatch(to consumer: any EventConsumer) async throws -> Bool {
        heartbeats.beat(Self.worker(consumer.name))
        let retried = try await redeliverRequested(to: consumer)
        let name = consumer.name, limit = configuration.batchSize
        let events = try await store.writer.read { db in
            try EventLog.all(db, afterPosition: try Checkpoints.position(db, consumer: name), limit: limit)
        }
        let wanted = events.filter(consumer.wants)
        if consumer.concurrency > 1 {
            try await deliverConcurrently(wanted, to: consumer)
        } else {
            for event in wanted { try await deliver(event, to: consumer) }
        }
        if let last = events.last {
            let at = store.now()
            try await store.write { db in try Checkpoints.advance(db, consumer: name, to: last.position, at: at) }
        }
        return retried || !events.isEmpty
    }

    /// Each stream's events in order, up to `consumer.concurrency` streams at a time: the streams are dealt
    /// round-robin into that many lanes, each lane handled in order. The checkpoint moves after the batch.
    private func deliverConcurrently(_ events: [RecordedEvent], to consumer: any EventConsumer) async throws {
        var streams: [String: Int] = [:]
        var lanes: [[RecordedEvent]] = []
        for event in events {
            let lane = streams[event.streamID] ?? streams.count % consumer.concurrency
            streams[event.streamID] = lane
            if lane == lanes.count { lanes.append([]) }
            lanes[lane].append(event)
        }
        try await withThrowingDiscardingTaskGroup { group in
            for lane in lanes {
                group.addTask {
                    for event in lane { try await self.deliver(event, to: consumer, movingCheckpoint: false) }
                }
            }
        }
    }

    /// Delivers one event with retries, parking it as a dead letter when they run out. The checkpoint moves
    /// past it here only when `movingCheckpoint`.
    private func deliver(_ event: RecordedEvent, to consumer: any EventConsumer, movingCheckpoint: Bool = true) async throws {
        let context = ConsumerContext(store: store, consumer: consumer.name, position: event.position, movesCheckpoint: movingCheckpoint)
        let attempts = Mutex(0)
        do {
            try await configuration.retry.run(on: clock) {
                attempts.withLock { $0 += 1 }
                try await consumer.handle(event, context)
            }
            if movingCheckpoint, !context.didCheckpoint {
                try await store.advanceCheckpoint(of: consumer.name, to: event.position)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let count = attempts.withLock { $0 }
            logger.error(
                "event parked in the dead-letter table",
                metadata: ["consumer": "\(consumer.name)", "position": "\(event.position)", "attempts": "\(count)", "error": "\(error)"])
            try await store.park(event, consumer: consumer.name, error: "\(error)", attempts: count, movingCheckpoint: movingCheckpoint)
        }
    }

    private func redeliverRequested(to consumer: any EventConsumer) async throws -> Bool {
        let name = consumer.name
        let requested = try await store.retriesRequested(consumer: name)
        for event in requested {
            let context = ConsumerContext(store: store, consumer: name, position: event.position)
            do {
                try await configuration.retry.run(on: clock) { try await consumer.handle(event, context) }
                try await store.clearDeadLetter(consumer: name, position: event.position)
                logger.info("dead letter redelivered", metadata: ["consumer": "\(name)", "position": "\(event.position)"])
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                try await store.park(event, consumer: name, error: "\(error)", attempts: configuration.retry.maxAttempts, movingCheckpoint: true)
            }
        }
        return !requested.isEmpty
    }
}
