public import Foundation
import GRDB
public import StrikeCore

/// One event as stored in the log, with its place in it.
public struct RecordedEvent: Sendable, Equatable {
    public let position: Int64
    public let eventID: String
    public let streamID: String
    public let streamType: String
    public let version: Int
    public let type: String
    public let schemaVersion: Int
    /// The payload as stored, at `schemaVersion`; `decode` upcasts it.
    public let payload: Data
    public let actor: ActorID
    public let correlationID: String?
    public let causationID: String?
    public let occurredAt: Date
    public let recordedAt: Date

    init(
        position: Int64, eventID: String, streamID: String, streamType: String, version: Int, type: String,
        schemaVersion: Int, payload: Data, actor: ActorID, correlationID: String?, causationID: String?,
        occurredAt: Date, recordedAt: Date
    ) {
        self.position = position
        self.eventID = eventID
        self.streamID = streamID
        self.streamType = streamType
        self.version = version
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
    }

    /// Read column by column: the log's envelope is the hottest read of the store.
    init(row: Row) throws {
        position = row["position"]
        eventID = row["event_id"]
        streamID = row["stream_id"]
        streamType = row["stream_type"]
        version = row["version"]
        type = row["type"]
        schemaVersion = row["schema_version"]
        payload = Data((row["payload"] as String).utf8)
        actor = ActorID(row["actor"] as String)
        correlationID = row["correlation_id"]
        causationID = row["causation_id"]
        occurredAt = try Self.date(row["occurred_at"])
        recordedAt = try Self.date(row["recorded_at"])
    }

    /// The event as the current code knows it, upcast from older payload schemas as needed.
    public func decode<E: AggregateEvent>(as _: E.Type = E.self) throws -> E {
        try E.decode(type: type, schemaVersion: schemaVersion, storedPayload: payload)
    }

    /// The payload JSON at the current schema version of `E`'s events.
    public func upcastPayload<E: AggregateEvent>(as _: E.Type) throws -> Data {
        try E.upcast(type: type, schemaVersion: schemaVersion, storedPayload: payload)
    }

    static func date(_ text: String) throws -> Date {
        guard let date = ISO8601.date(from: text) else { throw CorruptRow(detail: "bad timestamp \(text)") }
        return date
    }
}

/// A row the store wrote but cannot read back.
public struct CorruptRow: Error, CustomStringConvertible {
    public let detail: String
    public var description: String { "corrupt row: \(detail)" }
}

/// An event about to be appended.
public struct NewEvent: Sendable {
    public var eventID: String
    public var type: String
    public var schemaVersion: Int
    public var payload: Data
    public var actor: ActorID
    public var occurredAt: Date
    public var correlationID: String?
    public var causationID: String?

    public init(
        eventID: String = UUID.random().uuidString.lowercased(), type: String, schemaVersion: Int, payload: Data,
        actor: ActorID, occurredAt: Date, correlationID: String? = nil, causationID: String? = nil
    ) {
        self.eventID = eventID
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.actor = actor
        self.occurredAt = occurredAt
        self.correlationID = correlationID
        self.causationID = causationID
    }

    public init<E: AggregateEvent>(
        _ event: E, actor: ActorID, occurredAt: Date, correlationID: String? = nil, causationID: String? = nil
    ) throws {
        self.init(
            type: event.type, schemaVersion: event.schemaVersion, payload: try event.encodedPayload(), actor: actor,
            occurredAt: occurredAt, correlationID: correlationID, causationID: causationID)
    }
}

/// Reads and appends the log inside a caller's transaction.
enum EventLog {
    static let columns =
        "position, event_id, stream_id, stream_type, version, type, schema_version, payload, actor, correlation_id, causation_id, occurred_at, recorded_at"

    static func currentVersion(_ db: Database, streamID: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(version) FROM event WHERE stream_id = ?"), arguments: [streamID]) ?? 0
    }

    /// Appends after checking the stream is still at `expectedVersion`.
    static func append(
        _ db: Database, streamID: String, streamType: String, expectedVersion: Int, events: [NewEvent], recordedAt: Date
    ) throws -> [RecordedEvent] {
        let actual = try currentVersion(db, streamID: streamID)
        guard actual == expectedVersion else {
            throw VersionConflict(streamID: streamID, expected: expectedVersion, actual: actual)
        }
        // Records carry times exactly as a later read returns them (millisecond text), so both compare equal.
        let recorded = ISO8601.string(from: recordedAt)
        let recordedDate = try RecordedEvent.date(recorded)
        var written: [RecordedEvent] = []
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO event (event_id, stream_id, stream_type, version, type, schema_version, payload,
                    actor, correlation_id, causation_id, occurred_at, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (offset, event) in events.enumerated() {
            let version = expectedVersion + offset + 1
            let occurred = ISO8601.string(from: event.occurredAt)
            try statement.execute(arguments: [
                event.eventID, streamID, streamType, version, event.type, event.schemaVersion,
                String(decoding: event.payload, as: UTF8.self), event.actor.rawValue, event.correlationID,
                event.causationID, occurred, recorded,
            ])
            written.append(
                RecordedEvent(
                    position: db.lastInsertedRowID, eventID: event.eventID, streamID: streamID, streamType: streamType,
                    version: version, type: event.type, schemaVersion: event.schemaVersion, payload: event.payload,
                    actor: event.actor, correlationID: event.correlationID, causationID: event.causationID,
                    occurredAt: try RecordedEvent.date(occurred), recordedAt: recordedDate))
        }
        return written
    }

    static func stream(_ db: Database, streamID: String, afterVersion: Int = 0) throws -> [RecordedEvent] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT \(columns) FROM event WHERE stream_id = ? AND version > ? ORDER BY version"),
            arguments: [streamID, afterVersion]
        ).map(RecordedEvent.init(row:))
    }

    static func all(_ db: Database, afterPosition: Int64, limit: Int) throws -> [RecordedEvent] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT \(columns) FROM event WHERE position > ? ORDER BY position LIMIT ?"),
            arguments: [afterPosition, limit]
        ).map(RecordedEvent.init(row:))
    }

    static func event(_ db: Database, position: Int64) throws -> RecordedEvent? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM event WHERE position = ?"), arguments: [position]).map(RecordedEvent.init(row:))
    }

    static func lastPosition(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(position) FROM event")) ?? 0
    }
}
