import Foundation
import GRDB
public import StrikeCore

extension StrikeStore {
    /// A tenant's settings, the defaults where none were saved.
    public func settings(of tenant: TenantID) async throws -> TenantSettings {
        try await writer.read { db in try Self.settings(tenant, db) }
    }

    public func changeSettings(of tenant: TenantID, _ change: TenantSettingsChange, actor: ActorID) async throws -> TenantSettings {
        let at = now()
        return try await write { db in
            let kind = try Self.tenant(tenant, db).kind
            let before = try Self.settings(tenant, db)
            let after = try change.applied(to: before, kind: kind)
            let json = String(decoding: try EventCoding.encoder().encode(after), as: UTF8.self)
            try db.cachedStatement(
                sql: """
                    INSERT INTO tenant_settings (tenant_id, settings, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
                    """
            ).execute(
                arguments: [tenant.rawValue, json, ISO8601.string(from: at)])
            try AuditLog.record(
                db, at: at, actor: actor, tenant: tenant, entity: "tenant_settings", entityID: tenant.rawValue, action: "update",
                before: before, after: after)
            return after
        }
    }

    /// Every tile server any tenant's maps load from, for the dashboard's Content-Security-Policy.
    public func tileOrigins() async throws -> [String] {
        try await writer.read { db in
            let stored = try String.fetchAll(db.cachedStatement(sql: "SELECT settings FROM tenant_settings"))
            let origins = try stored.compactMap { try EventCoding.decoder().decode(TenantSettings.self, from: Data($0.utf8)).tileOrigin }
            return Set(origins).sorted()
        }
    }

    static func settings(_ tenant: TenantID, _ db: Database) throws -> TenantSettings {
        guard let json = try String.fetchOne(db.cachedStatement(sql: "SELECT settings FROM tenant_settings WHERE tenant_id = ?"), arguments: [tenant.rawValue]) else {
            return TenantSettings()
        }
        return try EventCoding.decoder().decode(TenantSettings.self, from: Data(json.utf8))
    }
}
