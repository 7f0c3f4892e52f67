import Foundation
import GRDB
import StrikeCore

/// The read models the API serves. Written in the append's transaction, droppable and rebuildable from the log.
public enum Projections {
    static let aggregates: [any ProjectedAggregate.Type] = [Eco.self, PagerRun.self]

    /// Tables with the columns that identify a row, in the order `verify` reports them.
    static let tables: [(name: String, key: [String])] = [
        ("eco_view", ["eco_id"]),
        ("eco_task_view", ["eco_id", "task_id"]),
        ("pager_run_view", ["run_id"]),
        ("pager_attempt_view", ["run_id", "version"]),
    ]

    /// The DDL, in `main` for the live tables or `temp` for a replay to compare against.
    static func schema(in schema: String) -> String {
        """
        CREATE TABLE \(schema).eco_view (
            eco_id TEXT PRIMARY KEY,
            noc_tenant_id TEXT NOT NULL,
            osp_tenant_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            job_number INTEGER NOT NULL,
            subsector TEXT NOT NULL,
            job_type TEXT NOT NULL,
            description TEXT NOT NULL,
            location TEXT NOT NULL,
            status TEXT NOT NULL,
            integration_status TEXT NOT NULL,
            integration_stage TEXT,
            integration_reason TEXT,
            render_task_id TEXT,
            pager_run_id TEXT,
            accepted_by TEXT,
            display_status TEXT NOT NULL,
            display_reason TEXT,
            task_count INTEGER NOT NULL,
            stale INTEGER NOT NULL,
            grace_until TEXT,
            cancel_reason TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL
        );
        CREATE INDEX \(schema).eco_view_by_noc ON eco_view(noc_tenant_id, created_at);
        CREATE INDEX \(schema).eco_view_by_osp ON eco_view(osp_tenant_id, created_at);
        CREATE TABLE \(schema).eco_task_view (
            eco_id TEXT NOT NULL,
            task_id TEXT NOT NULL,
            status TEXT NOT NULL,
            display_status TEXT NOT NULL,
            assignee TEXT,
            fingerprint TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (eco_id, task_id)
        );
        CREATE TABLE \(schema).pager_run_view (
            run_id TEXT PRIMARY KEY,
            eco_id TEXT NOT NULL,
            pager_list_id TEXT NOT NULL,
            pager_list_name TEXT NOT NULL,
            message TEXT NOT NULL,
            contacts TEXT NOT NULL,
            rounds INTEGER NOT NULL,
            status TEXT NOT NULL,
            outcome TEXT,
            accepted_contact_index INTEGER,
            accepted_by TEXT,
            reason TEXT,
            attempt_count INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            completed_at TEXT,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL
        );
        CREATE INDEX \(schema).pager_run_view_by_eco ON pager_run_view(eco_id, started_at);
        CREATE TABLE \(schema).pager_attempt_view (
            run_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            contact_index INTEGER NOT NULL,
            contact_name TEXT NOT NULL,
            call_sid TEXT,
            kind TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            PRIMARY KEY (run_id, version)
        );
        """
    }

    /// Empties the projection tables of `schema` and replays the whole log into them, stream by stream.
    static func rebuild(_ db: Database, schema: String, progress: (_ done: Int, _ total: Int) -> Void) throws {
        for table in tables { try db.execute(sql: "DELETE FROM \(schema).\(table.name)") }
        let streams = try Row.fetchAll(
            db, sql: "SELECT stream_id, stream_type FROM event GROUP BY stream_id ORDER BY MIN(position)")
        for (index, stream) in streams.enumerated() {
            let type: String = stream["stream_type"]
            if let aggregate = aggregates.first(where: { $0.streamType == type }) {
                try replay(aggregate, streamID: stream["stream_id"], db, schema: schema)
            }
            progress(index + 1, streams.count)
        }
    }

    private static func replay<A: ProjectedAggregate>(_: A.Type, streamID: String, _ db: Database, schema: String) throws {
        var state = A.initial
        for record in try EventLog.stream(db, streamID: streamID) {
            let event = try record.decode(as: A.Event.self)
            state = A.evolve(state, event)
            try A.project(state, event, record, db, schema: schema)
        }
    }

    /// Replays the log into temporary tables and lists every difference from the stored projections.
    static func differences(_ db: Database, progress: (_ done: Int, _ total: Int) -> Void) throws -> [String] {
        for table in tables { try db.execute(sql: "DROP TABLE IF EXISTS temp.\(table.name)") }
        try db.execute(sql: schema(in: "temp"))
        defer { for table in tables { try? db.execute(sql: "DROP TABLE IF EXISTS temp.\(table.name)") } }
        try rebuild(db, schema: "temp", progress: progress)
        var report: [String] = []
        for table in tables {
            report += try differences(in: table.name, key: table.key, db)
        }
        return report
    }

    private static func differences(in table: String, key: [String], _ db: Database) throws -> [String] {
        let keyList = key.joined(separator: ", ")
        let stored = try Row.fetchAll(db, sql: "SELECT * FROM main.\(table) EXCEPT SELECT * FROM temp.\(table) ORDER BY \(keyList)")
        let replayed = try Row.fetchAll(db, sql: "SELECT * FROM temp.\(table) EXCEPT SELECT * FROM main.\(table) ORDER BY \(keyList)")
        func keyOf(_ row: Row) -> String { key.map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ") }
        let replayedByKey = Dictionary(replayed.map { (keyOf($0), $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for row in stored {
            let rowKey = keyOf(row)
            guard let expected = replayedByKey[rowKey] else {
                lines.append("\(table) \(rowKey): stored, but the log does not produce it")
                continue
            }
            for column in row.columnNames where row[column] as DatabaseValue != expected[column] as DatabaseValue {
                lines.append(
                    "\(table) \(rowKey): \(column) is \(row[column] as DatabaseValue) but the log gives \(expected[column] as DatabaseValue)")
            }
        }
        let storedKeys = Set(stored.map(keyOf))
        for row in replayed where !storedKeys.contains(keyOf(row)) {
            lines.append("\(table) \(keyOf(row)): missing, the log produces it")
        }
        return lines
    }
}
