import Foundation
import GRDB
public import StrikeCore

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
        return try await write { db in
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
                try db.cachedStatement(
                    sql: "INSERT INTO idempotency_key (tenant_id, key, request_hash, eco_id, created_at) VALUES (?, ?, ?, ?, ?)"
                ).execute(
                    arguments: [idempotency.tenantID.rawValue, idempotency.key, idempotency.requestHash, ecoID.rawValue, ISO8601.string(from: at)])
            }
            return .created(result)
        }
    }

    /// Keeps the answer given for an idempotency key, so a replay returns exactly it.
    public func recordIdempotentResponse(_ idempotency: IdempotencyKey, response: String) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE idempotency_key SET response = ? WHERE tenant_id = ? AND key = ? AND response IS NULL"
            ).execute(
                arguments: [response, idempotency.tenantID.rawValue, idempotency.key])
        }
    }

    static func idempotencyRecord(_ idempotency: IdempotencyKey, _ db: Database) throws -> (requestHash: String, ecoID: EcoID, response: String?)? {
        try IdempotencyRecord.fetchOne(db.cachedStatement(sql: "SELECT request_hash, eco_id, response FROM idempotency_key WHERE tenant_id = ? AND key = ?"),
            arguments: [idempotency.tenantID.rawValue, idempotency.key]
        ).map { ($0.requestHash, $0.ecoID, $0.response) }
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

/// A create request remembered under its idempotency key: what was asked, the ECO it made, the answer given.
private struct IdempotencyRecord: StoredRecord {
    static let databaseTableName = "idempotency_key"
    let requestHash: String
    let ecoID: EcoID
    let response: String?
}
