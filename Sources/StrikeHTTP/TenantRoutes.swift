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
    let store: any TenantDirectory & PagerDirectory

    func register(_ api: APIRouter) {
        api.add(.get, "/api/tenants", access: .owner, listTenants)
        api.add(.post, "/api/tenants", access: .owner, createTenant)
        api.add(.get, "/api/links", access: .owner, listLinks)
        api.add(.put, "/api/links", access: .owner, setLink)
        api.add(.get, "/api/audit-log", access: .owner, auditLog)
        api.add(.get, "/api/tenant-audit-log", access: .member(.admin), tenantAuditLog)
        api.add(.get, "/api/osps", access: .member(.viewer), linkedOSPs)
        api.add(.get, "/api/regions/lookup", access: .member(.viewer), lookup)
    }

    @Sendable func listTenants(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await store.tenants())
    }

    @Sendable func createTenant(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let body = try await request.decodeBody(CreateTenantBody.self, context: context)
        let tenant = try await store.createTenant(
            kind: body.kind, name: body.name, jobPrefix: body.jobPrefix, id: .random(), actor: try context.requireCaller().actor)
        return try jsonResponse(tenant, status: .created)
    }

    @Sendable func listLinks(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await store.links(of: nil))
    }

    @Sendable func setLink(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let body = try await request.decodeBody(LinkBody.self, context: context)
        try await store.setLink(noc: body.nocTenantID, osp: body.ospTenantID, status: body.status, actor: try context.requireCaller().actor)
        return try jsonResponse(try await store.link(noc: body.nocTenantID, osp: body.ospTenantID))
    }

    /// Every configuration change on the appliance, for the owner.
    @Sendable func auditLog(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try await auditPage(request, tenant: nil)
    }

    /// The configuration changes of the active tenant, for its admins.
    @Sendable func tenantAuditLog(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try await auditPage(request, tenant: try context.requireTenant().id)
    }

    private func auditPage(_ request: Request, tenant: TenantID?) async throws -> Response {
        let query = request.uri.queryParameters
        var problems: [FieldProblem] = []
        let limit = query["limit"].map { Int($0) } ?? 100
        if limit.map({ !(1...500).contains($0) }) ?? true { problems.append(FieldProblem(field: "limit", message: "must be a whole number from 1 to 500")) }
        let before = query["before"].map { Int64($0) }
        if case .some(nil) = before { problems.append(FieldProblem(field: "before", message: "must be an audit entry id")) }
        guard problems.isEmpty, let limit else { throw Problem.invalid(problems) }
        return try jsonResponse(try await store.auditLog(tenant: tenant, limit: limit, beforeID: before ?? nil))
    }

    /// For a NOC: the OSPs it is linked to, with the link's status (only `active` ones take new ECOs).
    @Sendable func linkedOSPs(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.noc, because: "only a NOC has OSPs to call on")
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
        if tenant.kind == .noc, query["osp"] == nil { problems.append(ospRequired) }
        guard problems.isEmpty, let longitude, let latitude else { throw Problem.invalid(problems) }
        let osp = try await pagerListOwner(for: tenant, query: query, store: store)
        let location: EcoLocation
        do {
            location = try EcoLocation.point(Position(longitude: longitude, latitude: latitude)).validated()
        } catch {
            throw Problem.invalid([FieldProblem(field: "lon/lat", message: error.description)])
        }
        let match = try await store.pagerList(for: location, osp: osp)
        return try jsonResponse(
            PagerListLookupView(
                pagerList: match.map { .init(id: $0.list.id, name: $0.list.name, priority: $0.list.priority, reason: $0.reason.rawValue) }))
    }
}

/// Whose pager lists a request is about: an OSP's own, or for a NOC the linked OSP named by `osp`
/// (422 when missing, 404 when the NOC has no link to it).
let ospRequired = FieldProblem(field: "osp", message: "is required for a NOC: the OSP whose lists to look in")

func pagerListOwner(for tenant: ActiveTenant, query: Parameters, store: any TenantDirectory) async throws -> TenantID {
    guard tenant.kind == .noc else { return tenant.id }
    guard let given = query["osp"].map({ TenantID(String($0)) }) else { throw Problem.invalid([ospRequired]) }
    guard try await store.link(noc: tenant.id, osp: given) != nil else { throw Problem.notFound("this NOC has no link to OSP \(given)") }
    return given
}
