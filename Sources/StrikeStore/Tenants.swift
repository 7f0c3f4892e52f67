import Foundation
import GRDB
public import StrikeCore

public enum LinkStatus: String, Codable, Sendable, CaseIterable {
    case pending, active, suspended
}

/// A NOC (creates ECOs) or an OSP (works them, owns a job-number sequence).
public struct Tenant: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "tenant"
    public let id: TenantID
    public let kind: TenantKind
    public let name: String
    public let jobPrefix: String?
}

public struct TenantLink: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "tenant_link"
    public let nocTenantID: TenantID
    public let ospTenantID: TenantID
    public let status: LinkStatus
}

extension StrikeStore {
    /// Adds a tenant; an OSP needs a job prefix such as `E2`.
    public func createTenant(
        kind: TenantKind, name: String, jobPrefix: String? = nil, id: TenantID = .random(), actor: ActorID
    ) async throws -> Tenant {
        let name = try Self.validatedTenantName(kind: kind, name: name, jobPrefix: jobPrefix)
        let at = now()
        return try await write { db in
            try Self.insertTenant(kind: kind, name: name, jobPrefix: jobPrefix, id: id, at: at, actor: actor, db)
        }
    }

    /// The tenant's name trimmed, or every rule the new tenant breaks.
    static func validatedTenantName(kind: TenantKind, name: String, jobPrefix: String?) throws(DomainError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [FieldProblem] = []
        if trimmed.isEmpty || trimmed.count > 200 { problems.append(FieldProblem(field: "name", message: "must be 1 to 200 characters")) }
        switch (kind, jobPrefix) {
        case (.osp, let prefix?) where JobID.isValidPrefix(prefix): break
        case (.osp, _):
            problems.append(FieldProblem(field: "jobPrefix", message: "an OSP needs 1 to 8 capital letters or digits, starting with a letter"))
        case (.noc, nil): break
        case (.noc, .some): problems.append(FieldProblem(field: "jobPrefix", message: "only an OSP has a job prefix"))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return trimmed
    }

    /// A validated tenant's row and its audit entry; refused when another tenant has the name.
    static func insertTenant(
        kind: TenantKind, name: String, jobPrefix: String?, id: TenantID, at: Date, actor: ActorID, _ db: Database
    ) throws -> Tenant {
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM tenant WHERE name = ?)"), arguments: [name]) == true {
            throw DomainError.taken(FieldProblem(field: "name", message: "another tenant is already called \(name)"))
        }
        try db.cachedStatement(
            sql: "INSERT INTO tenant (id, kind, name, job_prefix, created_at) VALUES (?, ?, ?, ?, ?)"
        ).execute(
            arguments: [id.rawValue, kind.rawValue, name, jobPrefix, ISO8601.string(from: at)])
        let tenant = try tenant(id, db)
        try AuditLog.record(db, at: at, actor: actor, tenant: id, entity: "tenant", entityID: id.rawValue, action: "create", before: nil as Tenant?, after: tenant)
        return tenant
    }

    public func tenants() async throws -> [Tenant] {
        try await writer.read { db in try Tenant.fetchAll(db.cachedStatement(sql: "SELECT * FROM tenant ORDER BY name")) }
    }

    /// Creates or changes the link between a NOC and an OSP.
    public func setLink(noc: TenantID, osp: TenantID, status: LinkStatus, actor: ActorID) async throws {
        let at = now()
        try await write { db in
            var problems: [FieldProblem] = []
            for (field, id, kind) in [("nocTenantID", noc, TenantKind.noc), ("ospTenantID", osp, .osp)] {
                switch try Self.existingTenant(id, db)?.kind {
                case nil: problems.append(FieldProblem(field: field, message: "there is no tenant \(id)"))
                case kind?: break
                case _?: problems.append(FieldProblem(field: field, message: "tenant \(id) is not \(kind == .noc ? "a NOC" : "an OSP")"))
                }
            }
            guard problems.isEmpty else { throw DomainError.invalid(problems) }
            let before = try Self.link(noc: noc, osp: osp, db)
            let stamp = ISO8601.string(from: at)
            try db.cachedStatement(
                sql: """
                    INSERT INTO tenant_link (noc_tenant_id, osp_tenant_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(noc_tenant_id, osp_tenant_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                    """
            ).execute(
                arguments: [noc.rawValue, osp.rawValue, status.rawValue, stamp, stamp])
            try AuditLog.record(
                db, at: at, actor: actor, tenant: nil, entity: "tenant_link", entityID: "\(noc)/\(osp)",
                action: before == nil ? "create" : "update", before: before, after: try Self.link(noc: noc, osp: osp, db))
        }
    }

    /// Every link, or one tenant's (as NOC or as OSP).
    public func links(of tenant: TenantID? = nil) async throws -> [TenantLink] {
        try await writer.read { db in
            try TenantLink.fetchAll(
                db,
                sql: "SELECT * FROM tenant_link WHERE ? IS NULL OR noc_tenant_id = ? OR osp_tenant_id = ? ORDER BY noc_tenant_id, osp_tenant_id",
                arguments: [tenant?.rawValue, tenant?.rawValue, tenant?.rawValue])
        }
    }

    public func link(noc: TenantID, osp: TenantID) async throws -> TenantLink? {
        try await writer.read { db in try Self.link(noc: noc, osp: osp, db) }
    }

    /// One tenant; nil when there is none with this id.
    public func tenant(_ id: TenantID) async throws -> Tenant? {
        try await writer.read { db in try Self.existingTenant(id, db) }
    }

    static func tenant(_ id: TenantID, _ db: Database) throws -> Tenant {
        guard let tenant = try existingTenant(id, db) else { throw StoreError.unknownTenant(id.rawValue) }
        return tenant
    }

    static func existingTenant(_ id: TenantID, _ db: Database) throws -> Tenant? {
        try Tenant.fetchOne(db.cachedStatement(sql: "SELECT * FROM tenant WHERE id = ?"), arguments: [id.rawValue])
    }

    static func link(noc: TenantID, osp: TenantID, _ db: Database) throws -> TenantLink? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM tenant_link WHERE noc_tenant_id = ? AND osp_tenant_id = ?"),
            arguments: [noc.rawValue, osp.rawValue]
        ).map { TenantLink(nocTenantID: noc, ospTenantID: osp, status: LinkStatus(rawValue: $0)!) }
    }

    /// The OSP's next job number, taken in the caller's transaction: a rollback gives it back, so there are no gaps.
    static func allocateJobNumber(osp: TenantID, _ db: Database) throws -> (prefix: String, number: Int) {
        guard
            let taken = try TakenJobNumber.fetchOne(
                db,
                sql: "UPDATE tenant SET next_job_number = next_job_number + 1 WHERE id = ? AND kind = 'OSP' RETURNING job_prefix, next_job_number - 1 AS number",
                arguments: [osp.rawValue])
        else { throw StoreError.notAnOSP(osp.rawValue) }
        return (taken.jobPrefix, taken.number)
    }
}

private struct TakenJobNumber: StoredRecord {
    public static let databaseTableName = "tenant"
    let jobPrefix: String
    let number: Int
}
