import Foundation
import GRDB
public import StrikeCore

/// An event as the live stream sends it: its place in the log and the ECO it belongs to.
public struct LiveEvent: StoredRecord, Sendable {
    public static let databaseTableName = "event"
    public let position: Int64
    public let type: String
    public let ecoID: EcoID
    public let at: String
    public let actor: String
}

extension StrikeStore {
    /// Events after `position` that belong to ECOs the tenant sees (the ECO's own and its pager runs'), in order,
    /// and the position the scan covered: read in one transaction, so nothing visible lies between the two.
    public func liveEvents(after position: Int64, visibleTo visibility: Visibility, limit: Int = 200) async throws
        -> (events: [LiveEvent], scannedTo: Int64)
    {
        let column = visibility.column
        return try await writer.read { db in
            let events = try LiveEvent.fetchAll(
                db,
                sql: """
                    SELECT e.position, e.type, e.occurred_at AS at, e.actor, COALESCE(own.eco_id, parent.eco_id) AS eco_id
                    FROM event e
                    LEFT JOIN eco_view own ON e.stream_type = 'eco' AND own.eco_id = e.stream_id
                    LEFT JOIN pager_run_view run ON e.stream_type = 'pager_run' AND run.run_id = e.stream_id
                    LEFT JOIN eco_view parent ON parent.eco_id = run.eco_id
                    WHERE e.position > ? AND (own.\(column) = ? OR parent.\(column) = ?)
                    ORDER BY e.position
                    LIMIT ?
                    """,
                arguments: [position, visibility.tenantID.rawValue, visibility.tenantID.rawValue, limit])
            let scannedTo = events.count == limit ? events.last!.position : max(position, try EventLog.lastPosition(db))
            return (events, scannedTo)
        }
    }
}
