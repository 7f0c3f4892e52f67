import GRDB
import StrikeCore

/// A database a newer build of the appliance has migrated or written events into. This build would misread
/// what it does not know, or write rows the newer schema does not expect, so it does not open it.
public struct NewerDatabaseError: Error, Sendable, CustomStringConvertible {
    public let database: String
    /// What the newer build left that this one cannot read, with the version this build knows.
    public let finding: String

    public var description: String {
        "the database \(database) was written by a newer build of Osprey Strike: \(finding). "
            + "Run that newer build again, or restore a backup taken before the upgrade; this build leaves the database as it is"
    }
}

extension Migrations {
    /// Refuses a database from a newer build, then migrates it; a read-only open only checks.
    static func prepare(_ pool: DatabasePool, readOnly: Bool) throws {
        try pool.read { db in try refuseNewerDatabase(db, path: pool.path) }
        if !readOnly { try migrator.migrate(pool) }
    }

    /// Throws when the database has a migration this build does not know, or an event at a payload schema
    /// version newer than this build reads for its type.
    static func refuseNewerDatabase(_ db: Database, path: String) throws {
        let known = migrator.migrations
        let unknown = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
        if !unknown.isEmpty {
            throw NewerDatabaseError(
                database: path,
                finding: "it has migration(s) \(unknown.joined(separator: ", ")) that this build does not know "
                    + "(the last this build knows is \(known.last ?? "none"))")
        }
        let newer = try newerEvents(db)
        if !newer.isEmpty {
            throw NewerDatabaseError(database: path, finding: "it holds events this build cannot read: \(newer.joined(separator: "; "))")
        }
    }

    /// Each stored event type whose newest payload schema version is past what this build reads, described.
    private static func newerEvents(_ db: Database) throws -> [String] {
        guard try db.tableExists("event") else { return [] }
        return try storedKinds(db).sorted { $0.type < $1.type }.compactMap { kind in
            guard let aggregate = Projections.aggregates.first(where: { $0.streamType == kind.streamType }) else { return nil }
            let readable = readableSchemaVersion(aggregate, type: kind.type)
            guard kind.newest > readable else { return nil }
            return "\(kind.type) at schema version \(kind.newest) (this build reads up to version \(readable))"
        }
    }

    /// One kind of stored event, and the newest schema version of its payloads.
    struct StoredEventKind: Decodable, FetchableRecord {
        let streamType: String
        let type: String
        let newest: Int

        static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    }

    /// Each kind of event stored. Through `event_by_kind` that is two index seeks a kind, so opening a database
    /// does not read its whole log (it did, twice, on every start: 60 ms for every 100,000 events); before the
    /// migration that makes the index, one pass over the log.
    static func storedKinds(_ db: Database) throws -> [StoredEventKind] {
        guard try db.indexes(on: "event").contains(where: { $0.name == "event_by_kind" }) else {
            return try StoredEventKind.fetchAll(
                db, sql: "SELECT stream_type, type, MAX(schema_version) AS newest FROM event GROUP BY stream_type, type")
        }
        var kinds: [StoredEventKind] = []
        while let next = try StoredEventKind.fetchOne(db, sql: kindAfterQuery, arguments: [kinds.last?.streamType ?? "", kinds.last?.type ?? ""]) {
            kinds.append(next)
        }
        return kinds
    }

    /// The next kind of event after a given (stream type, event type), and its newest schema version.
    static let kindAfterQuery = """
        SELECT stream_type, type,
            (SELECT MAX(schema_version) FROM event AS same WHERE same.stream_type = kind.stream_type AND same.type = kind.type) AS newest
        FROM event AS kind INDEXED BY event_by_kind WHERE (stream_type, type) > (?, ?) ORDER BY stream_type, type LIMIT 1
        """

    /// The payload schema version this build writes, and so the newest it reads, for one event type of an aggregate.
    private static func readableSchemaVersion<A: ProjectedAggregate>(_: A.Type, type: String) -> Int {
        A.Event.currentSchemaVersion(of: type)
    }
}
