public import Foundation
import GRDB
public import StrikeCore

/// One cause an ECO is listed for (`attention_item`): since when, in words, and who acknowledged it.
public struct AttentionRecord: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "attention_item"

    public var ecoID: EcoID
    public var cause: AttentionCause
    public var since: String
    public var detail: String?
    public var acknowledgedBy: String?
    public var acknowledgedAt: String?
}

/// An ECO that needs a person, with every cause it is listed for.
public struct AttentionEntry: Sendable {
    public let eco: EcoRecord
    public let causes: [AttentionRecord]

    /// Since when the ECO has needed a person: its oldest cause.
    public var since: String { causes.map(\.since).min() ?? eco.updatedAt }
    /// Acknowledged when every cause is: a new cause asks again.
    public var isAcknowledged: Bool { causes.allSatisfy { $0.acknowledgedBy != nil } }
    /// The latest acknowledgement: who and when.
    public var lastAcknowledgement: (by: String, at: String)? {
        causes.compactMap { cause in cause.acknowledgedBy.map { ($0, cause.acknowledgedAt ?? "") } }.max { $0.1 < $1.1 }
    }
}

extension StrikeStore {
    public func attention(visibleTo visibility: Visibility) async throws -> [AttentionEntry] {
        try await attention(visibleTo: visibility, only: nil)
    }

    public func attention(of eco: EcoID, visibleTo visibility: Visibility) async throws -> AttentionEntry? {
        try await attention(visibleTo: visibility, only: eco).first
    }

    private func attention(visibleTo visibility: Visibility, only eco: EcoID?) async throws -> [AttentionEntry] {
        try await writer.read { db in
            let causes = try AttentionRecord.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM attention_item a JOIN eco_view e ON e.eco_id = a.eco_id
                    WHERE e.\(visibility.column) = ? AND (? IS NULL OR a.eco_id = ?) ORDER BY a.since, a.eco_id, a.cause
                    """,
                arguments: [visibility.tenantID.rawValue, eco?.rawValue, eco?.rawValue])
            let byEco = Dictionary(grouping: causes, by: \.ecoID)
            let ecos = try EcoRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM eco_view WHERE eco_id IN (SELECT value FROM json_each(?))"),
                arguments: [String(decoding: try JSONEncoder().encode(byEco.keys.map(\.rawValue)), as: UTF8.self)])
            return ecos.map { AttentionEntry(eco: $0, causes: byEco[$0.id] ?? []) }
                .sorted { ($0.since, $0.eco.id.rawValue) < ($1.since, $1.eco.id.rawValue) }
        }
    }

    public func ecosShowing(
        _ display: DisplayStatus, osp: TenantID, integrationChangedBefore before: Date, without cause: AttentionCause
    ) async throws -> [EcoID] {
        try await writer.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT eco_id FROM eco_view e
                    WHERE display_status = ? AND integration_changed_at <= ? AND osp_tenant_id = ?
                      AND NOT EXISTS (SELECT 1 FROM attention_item a WHERE a.eco_id = e.eco_id AND a.cause = ?)
                    ORDER BY integration_changed_at
                    """,
                arguments: [display.rawValue, ISO8601.string(from: before), osp.rawValue, cause.rawValue]
            ).map { EcoID($0) }
        }
    }
}
