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
        let stored = try Row.fetchAll(
            db, sql: "SELECT stream_type, type, MAX(schema_version) AS newest FROM event GROUP BY stream_type, type ORDER BY type")
        return stored.compactMap { row in
            let streamType: String = row["stream_type"], type: String = row["type"], newest: Int = row["newest"]
            guard let aggregate = Projections.aggregates.first(where: { $0.streamType == streamType }) else { return nil }
            let readable = readableSchemaVersion(aggregate, type: type)
            guard newest > readable else { return nil }
            return "\(type) at schema version \(newest) (this build reads up to version \(readable))"
        }
    }

    /// The payload schema version this build writes, and so the newest it reads, for one event type of an aggregate.
    private static func readableSchemaVersion<A: ProjectedAggregate>(_: A.Type, type: String) -> Int {
        A.Event.currentSchemaVersion(of: type)
    }
}
