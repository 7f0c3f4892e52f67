import Foundation
import GRDB
public import StrikeCore

/// A pager list with what the dashboard draws and edits: its region as GeoJSON and its contacts in calling order.
public struct PagerListDetail: Sendable {
    public let list: PagerList
    /// A GeoJSON MultiPolygon geometry, as SpatiaLite writes it; nil when the list has no region.
    public let regionGeoJSON: String?
    public let contacts: [PagerContact]
    public let updatedAt: String
}

/// A change to a pager list's own fields; what is nil stays as it is.
public struct PagerListChange: Sendable {
    public var name: String?
    public var priority: Int?
    public var active: Bool?
    public var isDefault: Bool?

    public init(name: String? = nil, priority: Int? = nil, active: Bool? = nil, isDefault: Bool? = nil) {
        self.name = name
        self.priority = priority
        self.active = active
        self.isDefault = isDefault
    }

    public static let priorityRange = 0...1000

    func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if let name, !(1...200).contains(name.trimmingCharacters(in: .whitespacesAndNewlines).count) {
            problems.append(FieldProblem(field: "name", message: "must be 1 to 200 characters"))
        }
        if let priority, !Self.priorityRange.contains(priority) {
            problems.append(FieldProblem(field: "priority", message: "must be \(Self.priorityRange.lowerBound) to \(Self.priorityRange.upperBound)"))
        }
        return problems
    }
}

extension StrikeStore {
    public static let maximumContacts = 50

    public func pagerListDetails(osp: TenantID) async throws -> [PagerListDetail] {
        try await writer.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM pager_list WHERE osp_tenant_id = ? ORDER BY priority DESC, name"), arguments: [osp.rawValue])
                .map { try Self.pagerListDetail(PagerListID($0), db) }
        }
    }

    /// One of this OSP's lists; nil when the OSP has no list with this id.
    public func pagerListDetail(_ id: PagerListID, osp: TenantID) async throws -> PagerListDetail? {
        try await writer.read { db in try Self.ownedPagerList(id, osp: osp, db) ? Self.pagerListDetail(id, db) : nil }
    }

    public func updatePagerList(_ id: PagerListID, osp: TenantID, _ change: PagerListChange, actor: ActorID) async throws -> PagerListDetail? {
        let problems = change.problems()
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        return try await changePagerList(id, osp: osp, action: "update", actor: actor) { db in
            let name = change.name?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let name { try Self.refuseTakenName(name, osp: osp, except: id, db) }
            if change.isDefault == true { try Self.clearDefault(osp: osp, db) }
            try db.cachedStatement(
                sql: """
                    UPDATE pager_list SET name = COALESCE(?, name), priority = COALESCE(?, priority), active = COALESCE(?, active),
                        is_default = COALESCE(?, is_default) WHERE id = ?
                    """
            ).execute(
                arguments: [name, change.priority, change.active, change.isDefault, id.rawValue])
        }
    }

    /// Replaces the list's region with the union of the imported features; a bad one refuses them all.
    public func setPagerListRegion(_ id: PagerListID, osp: TenantID, features: [Region], actor: ActorID) async throws -> PagerListDetail? {
        try await changePagerList(id, osp: osp, action: "set-region", actor: actor) { db in
            try Self.writeRegion(of: id, features: features, db)
        }
    }

    /// Replaces the list's contacts; their order is the calling order.
    public func setPagerListContacts(_ id: PagerListID, osp: TenantID, contacts: [PagerContact], actor: ActorID) async throws -> PagerListDetail? {
        let contacts = contacts.map { PagerContact(name: $0.name.trimmingCharacters(in: .whitespacesAndNewlines), phone: $0.phone) }
        var problems: [FieldProblem] = []
        if contacts.count > Self.maximumContacts {
            problems.append(FieldProblem(field: "contacts", message: "a list holds at most \(Self.maximumContacts) contacts"))
        }
        for (index, contact) in contacts.enumerated() {
            if !(1...100).contains(contact.name.count) {
                problems.append(FieldProblem(field: "contacts[\(index)].name", message: "must be 1 to 100 characters"))
            }
            if !PagerContact.isE164(contact.phone) {
                problems.append(FieldProblem(field: "contacts[\(index)].phone", message: "must be an E.164 number such as +14155550100"))
            } else if let first = contacts.firstIndex(where: { $0.phone == contact.phone }), first < index {
                problems.append(FieldProblem(field: "contacts[\(index)].phone", message: "is already contact \(first)"))
            }
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        return try await changePagerList(id, osp: osp, action: "set-contacts", actor: actor) { db in
            try db.cachedStatement(sql: "DELETE FROM pager_contact WHERE pager_list_id = ?").execute(arguments: [id.rawValue])
            for (position, contact) in contacts.enumerated() {
                try db.cachedStatement(
                    sql: "INSERT INTO pager_contact (pager_list_id, position, name, phone) VALUES (?, ?, ?, ?)"
                ).execute(
                    arguments: [id.rawValue, position, contact.name, contact.phone])
            }
        }
    }

    /// The contacts of a list in calling order.
    public func pagerContacts(_ id: PagerListID) async throws -> [PagerContact] {
        try await writer.read { db in try Self.contacts(id, db) }
    }

    /// One audited change to one of the OSP's lists, in one transaction; nil when the OSP has no such list.
    private func changePagerList(
        _ id: PagerListID, osp: TenantID, action: String, actor: ActorID, _ change: @escaping @Sendable (Database) throws -> Void
    ) async throws -> PagerListDetail? {
        let at = now()
        return try await write { db in
            guard try Self.ownedPagerList(id, osp: osp, db) else { return nil }
            let before = try Self.auditedPagerList(id, db)
            try change(db)
            try db.cachedStatement(sql: "UPDATE pager_list SET updated_at = ? WHERE id = ?").execute(arguments: [ISO8601.string(from: at), id.rawValue])
            try AuditLog.record(
                db, at: at, actor: actor, tenant: osp, entity: "pager_list", entityID: id.rawValue, action: action,
                before: before, after: try Self.auditedPagerList(id, db))
            return try Self.pagerListDetail(id, db)
        }
    }

    /// What the audit log keeps of a list: its fields and contacts, the region by area only.
    private struct AuditedPagerList: Encodable {
        let list: PagerList
        let contacts: [PagerContact]
    }

    private static func auditedPagerList(_ id: PagerListID, _ db: Database) throws -> AuditedPagerList {
        AuditedPagerList(list: try pagerList(id, db), contacts: try contacts(id, db))
    }

    static func ownedPagerList(_ id: PagerListID, osp: TenantID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM pager_list WHERE id = ? AND osp_tenant_id = ?)"), arguments: [id.rawValue, osp.rawValue]
        ) ?? false
    }

    static func contacts(_ id: PagerListID, _ db: Database) throws -> [PagerContact] {
        try StoredContact.fetchAll(db.cachedStatement(sql: "SELECT name, phone FROM pager_contact WHERE pager_list_id = ? ORDER BY position"), arguments: [id.rawValue])
            .map { PagerContact(name: $0.name, phone: $0.phone) }
    }

    static func pagerListDetail(_ id: PagerListID, _ db: Database) throws -> PagerListDetail {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT *, AsGeoJSON(region) AS region_geo_json FROM pager_list WHERE id = ?"), arguments: [id.rawValue])!
        let region = try StoredRegion(row: row)
        return PagerListDetail(list: try PagerList(row: row), regionGeoJSON: region.regionGeoJSON, contacts: try contacts(id, db), updatedAt: region.updatedAt)
    }
}

private struct StoredContact: StoredRecord {
    public static let databaseTableName = "pager_contact"
    let name: String
    let phone: String
}

/// A list's region as GeoJSON, read beside its fields, and when it last changed.
private struct StoredRegion: StoredRecord {
    public static let databaseTableName = "pager_list"
    let regionGeoJSON: String?
    let updatedAt: String
}
