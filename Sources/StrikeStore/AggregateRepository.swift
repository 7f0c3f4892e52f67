import Foundation
import GRDB
public import StrikeCore

/// An aggregate whose events also update read models, inside the append's transaction.
protocol ProjectedAggregate: Aggregate {
    static func project(_ state: Self, _ event: Event, _ recorded: RecordedEvent, _ db: Database) throws
}

/// The state of one stream and the version it was read at.
public struct Loaded<A: Aggregate>: Sendable {
    public let state: A
    public let version: Int
}

/// What a command did: the events appended and the state after them.
public struct CommandResult<A: Aggregate>: Sendable {
    public let state: A
    public let version: Int
    public let events: [RecordedEvent]
}

extension StrikeStore {
    /// Loads a stream's state: its snapshot, if any, then the events after it.
    public func load<A: Aggregate>(_: A.Type, id: String) async throws -> Loaded<A> {
        try await writer.read { db in try Self.load(A.self, id: id, db) }
    }

    /// Loads by replaying every event from the first, ignoring snapshots (the reference for tests and verify).
    public func replay<A: Aggregate>(_: A.Type, id: String) async throws -> Loaded<A> {
        try await writer.read { db in
            let events = try EventLog.stream(db, streamID: id)
            let state = A.replay(try events.map { try $0.decode(as: A.Event.self) })
            return Loaded(state: state, version: events.last?.version ?? 0)
        }
    }

    /// Decides `command` against the stream's state and appends what it yields, with projections and snapshot,
    /// in one transaction. With `expectedVersion` (an operator's edit of what they saw), a stream that moved on
    /// is a `VersionConflict`; without it (a worker), the state read inside the transaction is current by construction.
    @discardableResult
    func execute<A: ProjectedAggregate>(
        _: A.Type, id: String, _ command: A.Command, actor: ActorID, expectedVersion: Int? = nil,
        correlationID: String? = nil, causationID: String? = nil
    ) async throws -> CommandResult<A> {
        let occurredAt = now()
        return try await write { db in
            try execute(
                A.self, id: id, command, actor: actor, expectedVersion: expectedVersion, correlationID: correlationID,
                causationID: causationID, occurredAt: occurredAt, db)
        }
    }

    /// The same, inside a transaction the caller already holds.
    @discardableResult
    func execute<A: ProjectedAggregate>(
        _: A.Type, id: String, _ command: A.Command, actor: ActorID, expectedVersion: Int?,
        correlationID: String?, causationID: String?, occurredAt: Date, _ db: Database
    ) throws -> CommandResult<A> {
        let loaded = try Self.load(A.self, id: id, db)
        if let expectedVersion, expectedVersion != loaded.version {
            throw VersionConflict(streamID: id, expected: expectedVersion, actual: loaded.version)
        }
        let decided = try A.decide(command, loaded.state)
        guard !decided.isEmpty else { return CommandResult(state: loaded.state, version: loaded.version, events: []) }
        let newEvents = try decided.map {
            try NewEvent($0, actor: actor, occurredAt: occurredAt, correlationID: correlationID, causationID: causationID)
        }
        let recorded = try EventLog.append(
            db, streamID: id, streamType: A.streamType, expectedVersion: loaded.version, events: newEvents,
            recordedAt: occurredAt)
        var state = loaded.state
        for (event, record) in zip(decided, recorded) {
            state = A.evolve(state, event)
            try A.project(state, event, record, db)
        }
        let version = recorded.last!.version
        try Snapshots.saveIfDue(state, streamID: id, version: version, threshold: snapshotThreshold, at: occurredAt, db)
        return CommandResult(state: state, version: version, events: recorded)
    }

    static func load<A: Aggregate>(_: A.Type, id: String, _ db: Database) throws -> Loaded<A> {
        let snapshot: Loaded<A>? = try Snapshots.latest(A.self, streamID: id, db)
        let tail = try EventLog.stream(db, streamID: id, afterVersion: snapshot?.version ?? 0)
        let state = A.replay(try tail.map { try $0.decode(as: A.Event.self) }, from: snapshot?.state ?? A.initial)
        return Loaded(state: state, version: tail.last?.version ?? snapshot?.version ?? 0)
    }
}

/// One snapshot per stream, replaced as the stream grows; ignored when the state's coding changed.
enum Snapshots {
    static func latest<A: Aggregate>(_: A.Type, streamID: String, _ db: Database) throws -> Loaded<A>? {
        try StoredSnapshot<A>.fetchOne(
            db.cachedStatement(sql: "SELECT version, state FROM snapshot WHERE stream_id = ? AND stream_type = ? AND snapshot_version = ?"),
            arguments: [streamID, A.streamType, A.snapshotVersion]
        ).map { Loaded(state: $0.state, version: $0.version) }
    }

    static func saveIfDue<A: Aggregate>(
        _ state: A, streamID: String, version: Int, threshold: Int, at date: Date, _ db: Database
    ) throws {
        let last = try Int.fetchOne(db.cachedStatement(sql: "SELECT version FROM snapshot WHERE stream_id = ?"), arguments: [streamID]) ?? 0
        guard version - last >= threshold else { return }
        let json = String(decoding: try EventCoding.encoder().encode(state), as: UTF8.self)
        try db.cachedStatement(
            sql: """
                INSERT INTO snapshot (stream_id, stream_type, version, snapshot_version, state, taken_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(stream_id) DO UPDATE SET version = excluded.version,
                    snapshot_version = excluded.snapshot_version, state = excluded.state, taken_at = excluded.taken_at
                """
        ).execute(
            arguments: [streamID, A.streamType, version, A.snapshotVersion, json, ISO8601.string(from: date)])
    }
}

/// A stream's state as of `version`, kept as JSON.
private struct StoredSnapshot<A: Aggregate>: StoredRecord {
    static var databaseTableName: String { "snapshot" }
    let version: Int
    let state: A
}
