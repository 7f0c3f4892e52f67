import Foundation
import GRDB
public import StrikeCore

public enum TenantKind: String, Codable, Sendable {
    case noc = "NOC"
    case osp = "OSP"
}

public enum LinkStatus: String, Codable, Sendable, CaseIterable {
    case pending, active, suspended
}

/// A NOC (creates ECOs) or an OSP (works them, owns a job-number sequence).
public struct Tenant: Codable, Sendable, Equatable {
    public let id: TenantID
    public let kind: TenantKind
    public let name: String
    public let jobPrefix: String?

    init(row: Row) {
        id = TenantID(row["id"] as String)
        kind = TenantKind(rawValue: row["kind"])!
        name = row["name"]
        jobPrefix = row["job_prefix"]
    }
}

public struct TenantLink: Codable, Sendable, Equatable {
    public let nocTenantID: TenantID
    public let ospTenantID: TenantID
    public let status: LinkStatus
}

extension StrikeStore {
    /// Adds a tenant; an OSP needs a job prefix such as `E2`.
    public func createTenant(
        kind: TenantKind, name: String, jobPrefix: String? = nil, id: TenantID = .random(), actor: ActorID
    ) async throws -> Tenant {
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
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let at = now()
        return try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM tenant WHERE name = ?)", arguments: [trimmed]) == true {
                throw DomainError.invalid([FieldProblem(field: "name", message: "another tenant is already called \(trimmed)")])
            }
            try db.execute(
                sql: "INSERT INTO tenant (id, kind, name, job_prefix, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [id.rawValue, kind.rawValue, trimmed, jobPrefix, ISO8601.string(from: at)])
            let tenant = try Self.tenant(id, db)
            try AuditLog.record(db, at: at, actor: actor, entity: "tenant", entityID: id.rawValue, action: "create", before: nil as Tenant?, after: tenant)
            return tenant
        }
    }

    public func tenants() async throws -> [Tenant] {
        try await writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM tenant ORDER BY name").map(Tenant.init(row:)) }
    }

    /// Creates or changes the link between a NOC and an OSP.
    public func setLink(noc: TenantID, osp: TenantID, status: LinkStatus, actor: ActorID) async throws {
        let at = now()
        try await writer.write { db in
            guard try Self.tenant(noc, db).kind == .noc else { throw DomainError.invalid([FieldProblem(field: "nocTenantID", message: "is not a NOC")]) }
            guard try Self.tenant(osp, db).kind == .osp else { throw StoreError.notAnOSP(osp.rawValue) }
            let before = try Self.link(noc: noc, osp: osp, db)
            let stamp = ISO8601.string(from: at)
            try db.execute(
                sql: """
                    INSERT INTO tenant_link (noc_tenant_id, osp_tenant_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(noc_tenant_id, osp_tenant_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                    """,
                arguments: [noc.rawValue, osp.rawValue, status.rawValue, stamp, stamp])
            try AuditLog.record(
                db, at: at, actor: actor, entity: "tenant_link", entityID: "\(noc)/\(osp)",
                action: before == nil ? "create" : "update", before: before, after: try Self.link(noc: noc, osp: osp, db))
        }
    }

    /// Every link, or one tenant's (as NOC or as OSP).
    public func links(of tenant: TenantID? = nil) async throws -> [TenantLink] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM tenant_link WHERE ? IS NULL OR noc_tenant_id = ? OR osp_tenant_id = ? ORDER BY noc_tenant_id, osp_tenant_id",
                arguments: [tenant?.rawValue, tenant?.rawValue, tenant?.rawValue]
            ).map {
                TenantLink(
                    nocTenantID: TenantID($0["noc_tenant_id"] as String), ospTenantID: TenantID($0["osp_tenant_id"] as String),
                    status: LinkStatus(rawValue: $0["status"])!)
            }
        }
    }

    public func link(noc: TenantID, osp: TenantID) async throws -> TenantLink? {
        try await writer.read { db in try Self.link(noc: noc, osp: osp, db) }
    }

    static func tenant(_ id: TenantID, _ db: Database) throws -> Tenant {
        guard let tenant = try Row.fetchOne(db, sql: "SELECT * FROM tenant WHERE id = ?", arguments: [id.rawValue]).map(Tenant.init(row:)) else {
            throw StoreError.unknownTenant(id.rawValue)
        }
        return tenant
    }

    static func link(noc: TenantID, osp: TenantID, _ db: Database) throws -> TenantLink? {
        try String.fetchOne(
            db, sql: "SELECT status FROM tenant_link WHERE noc_tenant_id = ? AND osp_tenant_id = ?",
            arguments: [noc.rawValue, osp.rawValue]
        ).map { TenantLink(nocTenantID: noc, ospTenantID: osp, status: LinkStatus(rawValue: $0)!) }
    }

    /// The OSP's next job number, taken in the caller's transaction: a rollback gives it back, so there are no gaps.
    static func allocateJobNumber(osp: TenantID, _ db: Database) throws -> (prefix: String, number: Int) {
        guard
            let row = try Row.fetchOne(
                db,
                sql: "UPDATE tenant SET next_job_number = next_job_number + 1 WHERE id = ? AND kind = 'OSP' RETURNING job_prefix, next_job_number - 1 AS number",
                arguments: [osp.rawValue])
        else { throw StoreError.notAnOSP(osp.rawValue) }
        return (row["job_prefix"], row["number"])
    }
}

// MARK: - ECOs

extension StrikeStore {
    /// Opens an ECO: checks the tenants and their active link, allocates the job number, appends `EcoCreated`
    /// and projects it, all in one transaction.
    public func createEco(_ draft: EcoDraft, actor: ActorID, ecoID: EcoID = .random(), correlationID: String? = nil)
        async throws -> CommandResult<Eco>
    {
        switch try await createEco(draft, actor: actor, ecoID: ecoID, idempotency: nil, correlationID: correlationID) {
        case .created(let result): return result
        case .replayed: preconditionFailure("no idempotency key, no replay")
        }
    }

    /// The same, remembering `idempotency`'s key in the same transaction: a second request with the key and the
    /// same body gets the first ECO back; with another body it is refused.
    public func createEco(
        _ draft: EcoDraft, actor: ActorID, ecoID: EcoID = .random(), idempotency: IdempotencyKey?, correlationID: String? = nil
    ) async throws -> EcoCreation {
        let checked = try draft.validated()
        let at = now()
        return try await writer.write { db in
            if let idempotency, let earlier = try Self.idempotencyRecord(idempotency, db) {
                guard earlier.requestHash == idempotency.requestHash else { throw IdempotencyMismatch(key: idempotency.key) }
                return .replayed(ecoID: earlier.ecoID, response: earlier.response)
            }
            guard try Self.tenant(checked.nocTenantID, db).kind == .noc else {
                throw DomainError.invalid([FieldProblem(field: "nocTenantID", message: "is not a NOC")])
            }
            _ = try Self.tenant(checked.ospTenantID, db)
            guard try Self.link(noc: checked.nocTenantID, osp: checked.ospTenantID, db)?.status == .active else {
                throw StoreError.linkNotActive(noc: checked.nocTenantID.rawValue, osp: checked.ospTenantID.rawValue)
            }
            let job = try Self.allocateJobNumber(osp: checked.ospTenantID, db)
            let new = try NewEco(ecoID: ecoID, draft: checked, jobID: JobID(prefix: job.prefix, number: job.number, allocatedAt: at))
            let result = try execute(
                Eco.self, id: ecoID.rawValue, .create(new), actor: actor, expectedVersion: 0,
                correlationID: correlationID, causationID: nil, occurredAt: at, db)
            if let idempotency {
                try db.execute(
                    sql: "INSERT INTO idempotency_key (tenant_id, key, request_hash, eco_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [idempotency.tenantID.rawValue, idempotency.key, idempotency.requestHash, ecoID.rawValue, ISO8601.string(from: at)])
            }
            return .created(result)
        }
    }

    /// Keeps the answer given for an idempotency key, so a replay returns exactly it.
    public func recordIdempotentResponse(_ idempotency: IdempotencyKey, response: String) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE idempotency_key SET response = ? WHERE tenant_id = ? AND key = ? AND response IS NULL",
                arguments: [response, idempotency.tenantID.rawValue, idempotency.key])
        }
    }

    static func idempotencyRecord(_ idempotency: IdempotencyKey, _ db: Database) throws -> (requestHash: String, ecoID: EcoID, response: String?)? {
        try Row.fetchOne(
            db, sql: "SELECT request_hash, eco_id, response FROM idempotency_key WHERE tenant_id = ? AND key = ?",
            arguments: [idempotency.tenantID.rawValue, idempotency.key]
        ).map { ($0["request_hash"], EcoID($0["eco_id"] as String), $0["response"]) }
    }

    /// Runs a command on an existing ECO.
    @discardableResult
    public func execute(_ command: EcoCommand, on ecoID: EcoID, actor: ActorID, expectedVersion: Int? = nil) async throws -> CommandResult<Eco> {
        try await execute(Eco.self, id: ecoID.rawValue, command, actor: actor, expectedVersion: expectedVersion)
    }
}

/// A client's `Idempotency-Key` for a create, scoped to its tenant, with a fingerprint of the request body.
public struct IdempotencyKey: Sendable {
    public let tenantID: TenantID
    public let key: String
    public let requestHash: String

    public init(tenantID: TenantID, key: String, requestHash: String) {
        self.tenantID = tenantID
        self.key = key
        self.requestHash = requestHash
    }
}

/// What a create did: made the ECO, or found the key already used for the same request.
public enum EcoCreation: Sendable {
    case created(CommandResult<Eco>)
    case replayed(ecoID: EcoID, response: String?)
}

/// The key was used before with a different request body.
public struct IdempotencyMismatch: Error, Sendable, CustomStringConvertible {
    public let key: String
    public var description: String { "the Idempotency-Key \(key) was already used with a different request" }
}

/// One configuration change, as the audit log keeps it.
public struct AuditEntry: Codable, Sendable {
    public let id: Int64
    public let at: String
    public let actor: String
    public let entity: String
    public let entityID: String
    public let action: String
    public let before: String?
    public let after: String?
}

extension StrikeStore {
    /// Audit entries, newest first, before entry `beforeID` when paging.
    public func auditLog(limit: Int, beforeID: Int64?) async throws -> [AuditEntry] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log WHERE ? IS NULL OR id < ? ORDER BY id DESC LIMIT ?", arguments: [beforeID, beforeID, limit]
            ).map {
                AuditEntry(
                    id: $0["id"], at: $0["at"], actor: $0["actor"], entity: $0["entity"], entityID: $0["entity_id"], action: $0["action"],
                    before: $0["before"], after: $0["after"])
            }
        }
    }
}

/// The configuration audit trail: who changed what, before and after.
enum AuditLog {
    static func record<Before: Encodable, After: Encodable>(
        _ db: Database, at: Date, actor: ActorID, entity: String, entityID: String, action: String,
        before: Before?, after: After?
    ) throws {
        let encoder = EventCoding.encoder()
        let beforeJSON = try before.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let afterJSON = try after.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, entity, entity_id, action, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [ISO8601.string(from: at), actor.rawValue, entity, entityID, action, beforeJSON, afterJSON])
    }
}
