public import Foundation
import GRDB
public import StrikeCore

extension StrikeStore {
    /// ECOs still followed in Render (dispatched, neither hard complete nor cancelled), with their OSP.
    public func followedEcos() async throws -> [(eco: EcoID, osp: TenantID)] {
        try await writer.read { db in
            try DispatchedEco.fetchAll(db, sql: Self.followedEcosQuery).map { ($0.ecoID, $0.ospTenantID) }
        }
    }

    /// Its conditions are the partial index `eco_view_followed`'s own, so SQLite reads only the followed rows.
    static let followedEcosQuery = """
        SELECT eco_id, osp_tenant_id FROM eco_view
        WHERE integration_status = 'DISPATCHED' AND status NOT IN ('HARD_COMPLETE', 'CANCELLED') ORDER BY created_at
        """

    /// Since when Render has shown no change for this ECO (its first poll counts as a change).
    public func lastFieldChange(of eco: EcoID) async throws -> Date? {
        try await writer.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT last_change_at FROM render_poll_state WHERE eco_id = ?"), arguments: [eco.rawValue])
                .flatMap(ISO8601.date(from:))
        }
    }

    /// Runs a poll's commands on the ECO in order and notes the poll, in one transaction. The poller records
    /// only the first poll of an ECO and the polls that find something, so `last_polled_at` is the last poll
    /// that recorded anything (nothing reads it); `last_change_at` is what the stale flag is judged by.
    public func recordPoll(of eco: EcoID, commands: [EcoCommand], at now: Date, actor: ActorID) async throws {
        try await write { db in
            var changed = false
            for command in commands {
                let result = try self.execute(
                    Eco.self, id: eco.rawValue, command, actor: actor, expectedVersion: nil, correlationID: nil, causationID: nil,
                    occurredAt: now, db)
                if case .flagStale = command { continue }
                changed = changed || !result.events.isEmpty
            }
            let stamp = ISO8601.string(from: now)
            try db.cachedStatement(
                sql: """
                    INSERT INTO render_poll_state (eco_id, last_polled_at, last_change_at) VALUES (?, ?, ?)
                    ON CONFLICT(eco_id) DO UPDATE SET last_polled_at = excluded.last_polled_at,
                        last_change_at = CASE WHEN ? THEN excluded.last_change_at ELSE last_change_at END
                    """
            ).execute(
                arguments: [eco.rawValue, stamp, stamp, changed])
        }
    }
}

private struct DispatchedEco: StoredRecord {
    static let databaseTableName = "eco_view"
    let ecoID: EcoID
    let ospTenantID: TenantID
}
