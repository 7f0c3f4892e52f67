import Foundation
import GRDB
public import StrikeCore

/// A pager list as configured: who is called for which area, in which order of preference.
public struct PagerList: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "pager_list"
    public static let columnsNamedOtherwise = ["area_m2": "areaSquareMetres"]
    public let id: PagerListID
    public let ospTenantID: TenantID
    public let name: String
    public let priority: Int
    public let active: Bool
    public let isDefault: Bool
    public let areaSquareMetres: Double?
}

/// What to write for a new pager list.
public struct PagerListDraft: Sendable {
    public var ospTenantID: TenantID
    public var name: String
    public var priority: Int
    public var active: Bool
    public var isDefault: Bool
    public var region: Region?

    public init(ospTenantID: TenantID, name: String, priority: Int = 0, active: Bool = true, isDefault: Bool = false, region: Region?) {
        self.ospTenantID = ospTenantID
        self.name = name
        self.priority = priority
        self.active = active
        self.isDefault = isDefault
        self.region = region
    }
}

/// The list the pager would call for a location, and why it was chosen.
public struct PagerListMatch: Sendable, Equatable {
    public enum Reason: String, Sendable { case region, defaultList = "default" }
    public let list: PagerList
    public let reason: Reason
}

extension StrikeStore {
    public func createPagerList(_ draft: PagerListDraft, id: PagerListID = .random(), actor: ActorID) async throws -> PagerList {
        let name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let problems = PagerListChange(name: name, priority: draft.priority).problems()
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let at = ISO8601.string(from: now())
        return try await write { db in
            guard try Self.tenant(draft.ospTenantID, db).kind == .osp else { throw StoreError.notAnOSP(draft.ospTenantID.rawValue) }
            try Self.refuseTakenName(name, osp: draft.ospTenantID, except: nil, db)
            if draft.isDefault { try Self.clearDefault(osp: draft.ospTenantID, db) }
            try db.cachedStatement(
                sql: """
                    INSERT INTO pager_list (id, osp_tenant_id, name, priority, active, is_default, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [id.rawValue, draft.ospTenantID.rawValue, name, draft.priority, draft.active, draft.isDefault, at, at])
            if let region = draft.region { try Self.writeRegion(of: id, features: [region], db) }
            let list = try Self.pagerList(id, db)
            try AuditLog.record(
                db, at: self.now(), actor: actor, tenant: draft.ospTenantID, entity: "pager_list", entityID: id.rawValue, action: "create",
                before: nil as PagerList?, after: list)
            return list
        }
    }

    public func pagerLists(osp: TenantID) async throws -> [PagerList] {
        try await writer.read { db in
            try PagerList.fetchAll(db.cachedStatement(sql: "SELECT * FROM pager_list WHERE osp_tenant_id = ? ORDER BY priority DESC, name"), arguments: [osp.rawValue])
        }
    }

    /// DESIGN §5: among the OSP's active lists whose region contains the point (or meets the line), the highest
    /// priority, then the smallest area; else the OSP's active default list; else none.
    /// Answered from the OSP's regions held in memory (`RegionCache`), read from the database on the first
    /// lookup after a change to any list; the same answer as the SQL lookup, which a store still uses when its
    /// process does not hold the writer lock (read-only tools, tests beside a CLI writer).
    public func pagerList(for location: EcoLocation, osp: TenantID) async throws -> PagerListMatch? {
        guard let regions else { return try await writer.read { db in try Self.pagerList(for: location, osp: osp, db) } }
        let (cached, generation) = regions.snapshot(osp: osp)
        if let cached { return cached.match(location) }
        let snapshot = try await writer.read { db in try RegionSnapshot.load(osp: osp, db) }
        regions.keep(snapshot, osp: osp, generation: generation)
        return snapshot.match(location)
    }

    /// The query plan of the region lookup, to show the spatial index is used.
    public func pagerListLookupPlan(for location: EcoLocation, osp: TenantID) async throws -> [String] {
        try await writer.read { db in
            let (sql, arguments) = Self.regionQuery(location, osp: osp)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] }
        }
    }

    /// The lookup in SQL: SpatiaLite's R*Tree narrows, GEOS decides. The reference the in-memory lookup is tested against.
    static func pagerList(for location: EcoLocation, osp: TenantID, _ db: Database) throws -> PagerListMatch? {
        let (sql, arguments) = regionQuery(location, osp: osp)
        if let list = try PagerList.fetchOne(db, sql: sql, arguments: arguments) {
            return PagerListMatch(list: list, reason: .region)
        }
        return try PagerList.fetchOne(db.cachedStatement(sql: "SELECT * FROM pager_list WHERE osp_tenant_id = ? AND active = 1 AND is_default = 1"),
            arguments: [osp.rawValue]
        ).map { PagerListMatch(list: $0, reason: .defaultList) }
    }

    /// The R*Tree of the spatial index narrows by bounding box; the exact test runs only on what it returns.
    private static func regionQuery(_ location: EcoLocation, osp: TenantID) -> (String, StatementArguments) {
        let box = location.boundingBox
        let exact = if case .point = location { "ST_Contains(region, GeomFromText(?, 4326))" } else { "ST_Intersects(region, GeomFromText(?, 4326))" }
        let sql = """
            SELECT * FROM pager_list
            WHERE osp_tenant_id = ? AND active = 1
              AND rowid_key IN (SELECT pkid FROM idx_pager_list_region
                                WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)
              AND \(exact) = 1
            ORDER BY priority DESC, area_m2 ASC, name
            LIMIT 1
            """
        return (sql, [osp.rawValue, box.maxLongitude, box.minLongitude, box.maxLatitude, box.minLatitude, location.wkt])
    }

    static func pagerList(_ id: PagerListID, _ db: Database) throws -> PagerList {
        try PagerList.fetchOne(db.cachedStatement(sql: "SELECT * FROM pager_list WHERE id = ?"), arguments: [id.rawValue])!
    }

    static func refuseTakenName(_ name: String, osp: TenantID, except id: PagerListID?, _ db: Database) throws {
        let taken = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM pager_list WHERE osp_tenant_id = ? AND name = ? AND id IS NOT ?)"),
            arguments: [osp.rawValue, name, id?.rawValue])
        if taken == true { throw DomainError.taken(FieldProblem(field: "name", message: "another pager list is already called \(name)")) }
    }

    /// One default list per OSP: making a list the default takes it from the one that had it.
    static func clearDefault(osp: TenantID, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE pager_list SET is_default = 0 WHERE osp_tenant_id = ? AND is_default = 1").execute(arguments: [osp.rawValue])
    }

    /// Replaces a list's region with the union of the features, each first checked by GEOS so that a
    /// self-intersecting ring is refused by index instead of silently matching the wrong points.
    /// The area is measured on the WGS84 ellipsoid.
    static func writeRegion(of id: PagerListID, features: [Region], _ db: Database) throws {
        var problems: [FieldProblem] = []
        for (index, feature) in features.enumerated() {
            let reason = try String.fetchOne(db.cachedStatement(sql: "SELECT IsValidReason(GeomFromText(?, 4326))"), arguments: [feature.wkt])
            if reason != "Valid Geometry" {
                problems.append(FieldProblem(field: "features[\(index)].geometry", message: "is not a valid polygon: \(reason ?? "unreadable")"))
            }
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        var union = try Data.fetchOne(db.cachedStatement(sql: "SELECT AsBinary(GeomFromText(?, 4326))"), arguments: [features[0].wkt])!
        for feature in features.dropFirst() {
            union = try Data.fetchOne(db.cachedStatement(sql: "SELECT AsBinary(CastToMultiPolygon(ST_Union(GeomFromWKB(?, 4326), GeomFromText(?, 4326))))"),
                arguments: [union, feature.wkt])!
        }
        try db.cachedStatement(
            sql: """
                UPDATE pager_list SET region = CastToMultiPolygon(GeomFromWKB(?, 4326)),
                    area_m2 = ST_Area(GeomFromWKB(?, 4326), 1) WHERE id = ?
                """
        ).execute(
            arguments: [union, union, id.rawValue])
    }
}

/// A contact the pager may call for a NOC, with the OSP and list it is on.
public struct CalledContact: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "pager_contact"
    public let osp: String
    public let list: String
    public let name: String
    public let phone: String
}

extension StrikeStore {
    /// Every contact of the pager lists of the OSPs this NOC is actively linked to: the numbers its Twilio account calls.
    public func contactsCalled(by noc: TenantID) async throws -> [CalledContact] {
        try await writer.read { db in
            try CalledContact.fetchAll(
                db,
                sql: """
                    SELECT t.name AS osp, l.name AS list, c.name, c.phone FROM tenant_link k
                    JOIN tenant t ON t.id = k.osp_tenant_id
                    JOIN pager_list l ON l.osp_tenant_id = k.osp_tenant_id
                    JOIN pager_contact c ON c.pager_list_id = l.id
                    WHERE k.noc_tenant_id = ? AND k.status = 'active'
                    ORDER BY t.name, l.name, c.position
                    """,
                arguments: [noc.rawValue])
        }
    }
}
