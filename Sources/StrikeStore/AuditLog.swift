import Foundation
import GRDB
public import StrikeCore

/// One configuration change, as the audit log keeps it.
public struct AuditEntry: StoredRecord, Sendable {
    public static let databaseTableName = "audit_log"
    public let id: Int64
    /// The tenant the change concerns; nil for appliance-wide changes (users, links).
    public let tenantID: String?
    public let at: String
    public let actor: String
    /// Who the actor is, in words (`StrikeStore.actorNames`); nil for one no longer known.
    public var actorName: String?
    public let entity: String
    public let entityID: String
    public let action: String
    public let before: String?
    public let after: String?
}

extension StrikeStore {
    /// Audit entries, newest first, before entry `beforeID` when paging: every tenant's, or one tenant's.
    public func auditLog(tenant: TenantID? = nil, limit: Int, beforeID: Int64?) async throws -> [AuditEntry] {
        try await writer.read { db in
            let entries = try AuditEntry.fetchAll(
                db,
                sql: "SELECT * FROM audit_log WHERE (? IS NULL OR tenant_id = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
                arguments: [tenant?.rawValue, tenant?.rawValue, beforeID, beforeID, limit])
            let names = try Self.actorNames(Set(entries.map(\.actor)), db)
            return entries.map { entry in
                var named = entry
                named.actorName = names[entry.actor]
                return named
            }
        }
    }
}

/// The configuration audit trail: who changed what, before and after.
enum AuditLog {
    static func record<Before: Encodable, After: Encodable>(
        _ db: Database, at: Date, actor: ActorID, tenant: TenantID?, entity: String, entityID: String, action: String,
        before: Before?, after: After?
    ) throws {
        let encoder = EventCoding.encoder()
        let beforeJSON = try before.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let afterJSON = try after.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try db.cachedStatement(
            sql: "INSERT INTO audit_log (at, actor, tenant_id, entity, entity_id, action, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(
            arguments: [ISO8601.string(from: at), actor.rawValue, tenant?.rawValue, entity, entityID, action, beforeJSON, afterJSON])
    }
}
