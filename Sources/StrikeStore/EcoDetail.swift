import GRDB
public import StrikeCore

/// An ECO as its detail page shows it: the row, its Render tasks and its latest pager run with the run's call
/// attempts, read in one read transaction (one snapshot, and one trip to a reader instead of three).
public struct EcoDetail: Sendable {
    public let eco: EcoRecord
    public let tasks: [TaskRecord]
    public let latestPagerRun: (run: PagerRunRecord, attempts: [PagerRunRecord.Attempt])?
}

extension StrikeStore {
    public func ecoDetail(_ id: EcoID, visibleTo visibility: Visibility) async throws -> EcoDetail? {
        try await writer.read { db in
            guard
                let eco = try EcoRecord.fetchOne(
                    db, sql: "SELECT * FROM eco_view WHERE eco_id = ? AND \(visibility.column) = ?",
                    arguments: [id.rawValue, visibility.tenantID.rawValue])
            else { return nil }
            let tasks = try TaskRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM eco_task_view WHERE eco_id = ? ORDER BY task_id"), arguments: [id.rawValue])
            let run = try PagerRunRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM pager_run_view WHERE eco_id = ? ORDER BY started_at DESC, run_id DESC LIMIT 1"), arguments: [id.rawValue])
            let attempts = try run.map { run in
                try PagerRunRecord.Attempt.fetchAll(db.cachedStatement(sql: "SELECT * FROM pager_attempt_view WHERE run_id = ? ORDER BY version"), arguments: [run.runID.rawValue])
            }
            return EcoDetail(eco: eco, tasks: tasks, latestPagerRun: run.map { ($0, attempts ?? []) })
        }
    }
}
