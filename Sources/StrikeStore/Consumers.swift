import Foundation
import GRDB
public import StrikeCore
import Synchronization

/// An asynchronous reader of the log. Delivery is at least once, so `handle` must be idempotent.
public protocol EventConsumer: Sendable {
    /// The checkpoint's name; never renamed once shipped, or the consumer starts from the beginning.
    var name: String { get }
    /// Whether the consumer wants this event; the others are passed over without calling `handle`.
    func wants(_ event: RecordedEvent) -> Bool
    func handle(_ event: RecordedEvent, _ context: ConsumerContext) async throws
    /// How many streams' events the consumer may handle at once; 1 (the default) handles one event at a time in
    /// log order. Above 1, each stream's events still arrive in order, one at a time, but a slow stream (an
    /// outbound call waiting on its answer) no longer holds up the others; the checkpoint then moves once the
    /// whole batch is handled, so a crash redelivers the batch, which an idempotent `handle` absorbs.
    var concurrency: Int { get }
}

extension EventConsumer {
    public var concurrency: Int { 1 }
}

/// Given to a consumer for one event: its writes and the checkpoint move together.
public final class ConsumerContext: Sendable {
    let store: StrikeStore
    let consumer: String
    let position: Int64
    /// Whether the consumer's writes move its checkpoint past the event; not while a batch is handled
    /// concurrently, where the runner moves it once the whole batch is handled.
    let movesCheckpoint: Bool
    private let checkpointed = Mutex(false)

    init(store: StrikeStore, consumer: String, position: Int64, movesCheckpoint: Bool = true) {
        self.store = store
        self.consumer = consumer
        self.position = position
        self.movesCheckpoint = movesCheckpoint
    }

    /// Runs `body` and advances this consumer's checkpoint past the event (when `movesCheckpoint`), in one transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let consumer = self.consumer, position = self.position, moves = movesCheckpoint, at = store.now()
        let result = try await store.write { db in
            let value = try body(db)
            if moves { try Checkpoints.advance(db, consumer: consumer, to: position, at: at) }
            return value
        }
        checkpointed.withLock { $0 = moves }
        return result
    }

    /// Runs a command on an ECO and advances this consumer's checkpoint past the event (when `movesCheckpoint`),
    /// in one transaction, so a worker's decision is recorded exactly once however often the event is delivered.
    @discardableResult
    public func execute(_ command: EcoCommand, on ecoID: EcoID, actor: ActorID) async throws -> CommandResult<Eco> {
        let store = self.store, consumer = self.consumer, position = self.position, moves = movesCheckpoint, at = store.now()
        let result = try await store.write { db in
            let result = try store.execute(
                Eco.self, id: ecoID.rawValue, command, actor: actor, expectedVersion: nil, correlationID: nil,
                causationID: String(position), occurredAt: at, db)
            if moves { try Checkpoints.advance(db, consumer: consumer, to: position, at: at) }
            return result
        }
        checkpointed.withLock { $0 = moves }
        return result
    }

    var didCheckpoint: Bool { checkpointed.withLock { $0 } }
}

/// An event a consumer could not handle after all its attempts, set aside so the rest keep flowing.
public struct DeadLetter: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "dead_letter"
    public let consumer: String
    public let position: Int64
    public let eventType: String
    public let error: String
    public let attempts: Int
    public let parkedAt: String
    public let retryRequestedAt: String?
}

/// How far a consumer has got through the log.
struct Checkpoint: StoredRecord {
    public static let databaseTableName = "consumer_checkpoint"
    let consumer: String
    let position: Int64
}

enum Checkpoints {
    static func position(_ db: Database, consumer: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT position FROM consumer_checkpoint WHERE consumer = ?"), arguments: [consumer]) ?? 0
    }

    /// Moves forward only: a redelivered dead letter never moves a checkpoint back.
    static func advance(_ db: Database, consumer: String, to position: Int64, at: Date) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO consumer_checkpoint (consumer, position, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(consumer) DO UPDATE SET position = MAX(position, excluded.position), updated_at = excluded.updated_at
                """
        ).execute(
            arguments: [consumer, position, ISO8601.string(from: at)])
    }
}

extension StrikeStore {
    public func checkpoint(of consumer: String) async throws -> Int64 {
        try await writer.read { db in try Checkpoints.position(db, consumer: consumer) }
    }

    /// Every checkpoint and how far behind the end of the log it is.
    public func consumerLag() async throws -> [(consumer: String, position: Int64, lag: Int64)] {
        try await writer.read { db in
            let last = try EventLog.lastPosition(db)
            return try Checkpoint.fetchAll(db.cachedStatement(sql: "SELECT consumer, position FROM consumer_checkpoint ORDER BY consumer")).map {
                (consumer: $0.consumer, position: $0.position, lag: last - $0.position)
            }
        }
    }

    /// Moves the consumer's checkpoint to `position`, never back.
    public func advanceCheckpoint(of consumer: String, to position: Int64) async throws {
        let at = now()
        try await write { db in try Checkpoints.advance(db, consumer: consumer, to: position, at: at) }
    }

    /// Sets an event aside for a consumer that could not handle it (adding to its attempts if it was set aside
    /// before, and clearing any retry asked for), moving the checkpoint past it when `movingCheckpoint`.
    public func park(_ event: RecordedEvent, consumer: String, error: String, attempts: Int, movingCheckpoint: Bool) async throws {
        let at = now()
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO dead_letter (consumer, position, event_type, error, attempts, parked_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(consumer, position) DO UPDATE SET error = excluded.error,
                        attempts = dead_letter.attempts + excluded.attempts, parked_at = excluded.parked_at,
                        retry_requested_at = NULL
                    """
            ).execute(
                arguments: [consumer, event.position, event.type, error, attempts, ISO8601.string(from: at)])
            if movingCheckpoint { try Checkpoints.advance(db, consumer: consumer, to: event.position, at: at) }
        }
    }

    /// The consumer's dead letters an admin asked to deliver again, as the events they hold, in log order.
    public func retriesRequested(consumer: String) async throws -> [RecordedEvent] {
        try await writer.read { db in
            try Int64.fetchAll(db.cachedStatement(sql: "SELECT position FROM dead_letter WHERE consumer = ? AND retry_requested_at IS NOT NULL ORDER BY position"),
                arguments: [consumer]
            ).compactMap { try EventLog.event(db, position: $0) }
        }
    }

    /// Forgets a dead letter once it was delivered.
    public func clearDeadLetter(consumer: String, position: Int64) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM dead_letter WHERE consumer = ? AND position = ?").execute(arguments: [consumer, position])
        }
    }

    public func deadLetters() async throws -> [DeadLetter] {
        try await writer.read { db in
            try DeadLetter.fetchAll(db.cachedStatement(sql: "SELECT * FROM dead_letter ORDER BY position, consumer"))
        }
    }

    /// Marks parked events for redelivery (all, one consumer's, or one position); returns how many.
    @discardableResult
    public func requestDeadLetterRetry(consumer: String? = nil, position: Int64? = nil) async throws -> Int {
        let at = ISO8601.string(from: now())
        return try await write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE dead_letter SET retry_requested_at = ?
                    WHERE (? IS NULL OR consumer = ?) AND (? IS NULL OR position = ?)
                    """
            ).execute(
                arguments: [at, consumer, consumer, position, position])
            return db.changesCount
        }
    }
}
