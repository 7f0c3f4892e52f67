import Foundation
import Hummingbird
import StrikeCore
import StrikeStore

struct CreateTenantBody: RequestBody {
    static let fields: Set<String> = ["kind", "name", "jobPrefix"]
    let kind: TenantKind
    let name: String
    let jobPrefix: String?
}

struct LinkBody: RequestBody {
    static let fields: Set<String> = ["nocTenantID", "ospTenantID", "status"]
    let nocTenantID: TenantID
    let ospTenantID: TenantID
    let status: LinkStatus
}

struct LinkedOSP: Encodable {
    let id: TenantID
    let name: String
    let jobPrefix: String?
    let linkStatus: LinkStatus
}

struct PagerListLookupView: Encodable {
    struct Match: Encodable {
        let id: PagerListID
        let name: String
        let priority: Int
        let reason: String
    }

    let pagerList: Match?

    private enum CodingKeys: String, CodingKey { case pagerList }

    /// `null` when no list would be paged: said explicitly, not left out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pagerList, forKey: .pagerList)
    }
}

/// Tenants, links and the audit log (the owner's), the OSPs a NOC may call on, and the region lookup.
struct TenantRoutes {
    let store: StrikeStore

    func register(_ api: APIRouter) {
        api.add(.get, "/api/tenants", access: .owner, listTenants)
        api.add(.post, "/api/tenants", access: .owner, createTenant)
        api.add(.get, "/api/links", access: .owner, listLinks)
        api.add(.put, "/api/links", access: .owner, setLink)
        api.add(.get, "/api/audit-log", access: .owner, auditLog)
        api.add(.get, "/api/osps", access: .member(.viewer), linkedOSPs)
        api.add(.get, "/api/regions/lookup", access: .member(.viewer), lookup)
    }

    @Sendable func listTenants(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await store.tenants())
    }

    @Sendable func createTenant(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let body = try await request.decodeBody(CreateTenantBody.self, context: context)
        let tenant = try await store.createTenant(kind: body.kind, name: body.name, jobPrefix: body.jobPrefix, actor: try context.requireCaller().actor)
        return try jsonResponse(tenant, status: .created)
    }

    @Sendable func listLinks(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await store.links())
    }

    @Sendable func setLink(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let body = try await request.decodeBody(LinkBody.self, context: context)
        do {
            try await store.setLink(noc: body.nocTenantID, osp: body.ospTenantID, status: body.status, actor: try context.requireCaller().actor)
        } catch let error as StoreError where error.isUnknownTenant {
            throw Problem.invalid([FieldProblem(field: "tenant", message: error.description)])
        }
        return try jsonResponse(try await store.link(noc: body.nocTenantID, osp: body.ospTenantID))
    }

    @Sendable func auditLog(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = query["limit"].flatMap { Int($0) } ?? 100
        guard (1...500).contains(limit) else { throw Problem.invalid([FieldProblem(field: "limit", message: "must be 1 to 500")]) }
        return try jsonResponse(try await store.auditLog(limit: limit, beforeID: query["before"].flatMap { Int64($0) }))
    }

    /// For a NOC: the OSPs it is linked to, with the link's status (only `active` ones take new ECOs).
    @Sendable func linkedOSPs(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        guard tenant.kind == .noc else { throw Problem.forbidden("only a NOC has OSPs to call on") }
        let tenants = Dictionary(uniqueKeysWithValues: try await store.tenants().map { ($0.id, $0) })
        let osps = try await store.links(of: tenant.id).filter { $0.nocTenantID == tenant.id }.compactMap { link in
            tenants[link.ospTenantID].map { LinkedOSP(id: $0.id, name: $0.name, jobPrefix: $0.jobPrefix, linkStatus: link.status) }
        }
        return try jsonResponse(osps)
    }

    /// Which pager list would be called for a point: the active OSP's own, or (for a NOC) a linked OSP's given as `osp`.
    @Sendable func lookup(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let query = request.uri.queryParameters
        var problems: [FieldProblem] = []
        let longitude = query["lon"].flatMap { Double($0) }, latitude = query["lat"].flatMap { Double($0) }
        if longitude == nil { problems.append(FieldProblem(field: "lon", message: "is required, a number")) }
        if latitude == nil { problems.append(FieldProblem(field: "lat", message: "is required, a number")) }
        var osp = tenant.id
        if tenant.kind == .noc {
            if let given = query["osp"].map({ TenantID(String($0)) }) {
                osp = given
            } else {
                problems.append(FieldProblem(field: "osp", message: "is required for a NOC: the OSP whose lists to look in"))
            }
        }
        guard problems.isEmpty, let longitude, let latitude else { throw Problem.invalid(problems) }
        let location: EcoLocation
        do {
            location = try EcoLocation.point(Position(longitude: longitude, latitude: latitude)).validated()
        } catch {
            throw Problem.invalid([FieldProblem(field: "lon/lat", message: error.description)])
        }
        if tenant.kind == .noc, try await store.link(noc: tenant.id, osp: osp) == nil {
            throw Problem.notFound("this NOC has no link to OSP \(osp)")
        }
        let match = try await store.pagerList(for: location, osp: osp)
        return try jsonResponse(
            PagerListLookupView(
                pagerList: match.map { .init(id: $0.list.id, name: $0.list.name, priority: $0.list.priority, reason: $0.reason.rawValue) }))
    }
}
