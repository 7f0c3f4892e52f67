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
        ("attention_item", ["eco_id", "cause"]),
    ]

    /// Empties the projection tables and replays the whole log into them (`ProjectionReplay`); `progress` is
    /// told the events replayed so far and the log's length. The tables are named without a schema, so a replay
    /// writes to `temp` where `differences` has made temporary copies.
    @discardableResult
    static func rebuild(
        _ db: Database, streamLimit: Int = ProjectionReplay.defaultStreamLimit, progress: (_ done: Int, _ total: Int) -> Void
    ) throws -> ReplaySummary {
        for table in tables { try db.execute(sql: "DELETE FROM \(table.name)") }
        var replay = ProjectionReplay(db, streamLimit: streamLimit)
        return try replay.run(progress: progress)
    }

    /// Replays the log into temporary tables and lists every difference from the stored projections.
    static func differences(
        _ db: Database, streamLimit: Int = ProjectionReplay.defaultStreamLimit, progress: (_ done: Int, _ total: Int) -> Void
    ) throws -> [String] {
        for table in tables { try db.execute(sql: "DROP TABLE IF EXISTS temp.\(table.name)") }
        for table in tables {
            // The live table's own definition, as every migration since has left it, made again in `temp`.
            let definition = try String.fetchOne(db.cachedStatement(sql: "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?"), arguments: [table.name])!
            try db.execute(sql: definition.replacingOccurrences(of: "CREATE TABLE \(table.name)", with: "CREATE TEMP TABLE \(table.name)"))
        }
        defer { for table in tables { try? db.execute(sql: "DROP TABLE IF EXISTS temp.\(table.name)") } }
        try rebuild(db, streamLimit: streamLimit, progress: progress)
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
