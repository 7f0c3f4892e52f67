import Foundation
import Hummingbird
import StrikeCore
import StrikeStore

struct PagerListBody: RequestBody {
    static let fields: Set<String> = ["name", "priority", "active", "isDefault"]
    let name: String?
    let priority: Int?
    let active: Bool?
    let isDefault: Bool?
}

struct ContactsBody: RequestBody {
    static let fields: Set<String> = ["contacts", "contacts[].name", "contacts[].phone"]
    let contacts: [PagerContact]
}

/// A pager list as answered: its region as a GeoJSON geometry and its contacts in calling order.
struct PagerListView: Encodable {
    let id: PagerListID
    let name: String
    let priority: Int
    let active: Bool
    let isDefault: Bool
    let areaSquareMetres: Double?
    let region: JSONFragment
    let contactCount: Int
    let contacts: [PagerContact]
    let updatedAt: String

    init(_ detail: PagerListDetail) throws {
        id = detail.list.id
        name = detail.list.name
        priority = detail.list.priority
        active = detail.list.active
        isDefault = detail.list.isDefault
        areaSquareMetres = detail.list.areaSquareMetres
        region = try detail.regionGeoJSON.map { try JSONFragment(Data($0.utf8)) } ?? .null
        contactCount = detail.contacts.count
        contacts = detail.contacts
        updatedAt = detail.updatedAt
    }
}

/// Who the pager calls for which area: an OSP's lists, their regions (imported from GeoJSON) and contacts.
/// A NOC may read the lists of an OSP it is linked to, to see on its map who would be called.
struct PagerListRoutes {
    let store: any PagerDirectory & TenantDirectory

    /// GeoJSON regions drawn in GIS tools run larger than other bodies.
    static let maximumRegionBytes = 4 << 20

    func register(_ api: APIRouter) {
        api.add(.get, "/api/pager-lists", access: .member(.viewer), list)
        api.add(.post, "/api/pager-lists", access: .member(.admin), create)
        api.add(.get, "/api/pager-lists/{id}", access: .member(.viewer), get)
        api.add(.patch, "/api/pager-lists/{id}", access: .member(.admin), update)
        api.add(.put, "/api/pager-lists/{id}/region", access: .member(.admin), setRegion)
        api.add(.put, "/api/pager-lists/{id}/contacts", access: .member(.admin), setContacts)
    }

    private static let ospOnly = "only an OSP changes pager lists"

    @Sendable func list(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let osp = try await pagerListOwner(for: try context.requireTenant(), query: request.uri.queryParameters, store: store)
        return try jsonResponse(try await store.pagerListDetails(osp: osp).map(PagerListView.init))
    }

    @Sendable func create(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.osp, because: Self.ospOnly)
        let body = try await request.decodeBody(PagerListBody.self, context: context)
        guard let name = body.name else { throw Problem.invalid([FieldProblem(field: "name", message: "is required")]) }
        let draft = PagerListDraft(
            ospTenantID: tenant.id, name: name, priority: body.priority ?? 0, active: body.active ?? true, isDefault: body.isDefault ?? false,
            region: nil)
        let list = try await store.createPagerList(draft, id: .random(), actor: try context.requireCaller().actor)
        return try jsonResponse(try PagerListView(try await found(store.pagerListDetail(list.id, osp: tenant.id))), status: .created)
    }

    @Sendable func get(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let osp = try await pagerListOwner(for: try context.requireTenant(), query: request.uri.queryParameters, store: store)
        return try jsonResponse(try PagerListView(try await found(store.pagerListDetail(try listID(context), osp: osp))))
    }

    @Sendable func update(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.osp, because: Self.ospOnly)
        let body = try await request.decodeBody(PagerListBody.self, context: context)
        let change = PagerListChange(name: body.name, priority: body.priority, active: body.active, isDefault: body.isDefault)
        let detail = try await store.updatePagerList(try listID(context), osp: tenant.id, change, actor: try context.requireCaller().actor)
        return try jsonResponse(try PagerListView(try found(detail)))
    }

    /// The body is a GeoJSON FeatureCollection, taken as a whole: GeoJSON allows members of its own.
    @Sendable func setRegion(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.osp, because: Self.ospOnly)
        let id = try listID(context)
        let data = try await request.collectJSONObject(upTo: Self.maximumRegionBytes, accepting: ["application/json", "application/geo+json"]).data
        let features = try RegionImport.parse(featureCollection: data).features
        let detail = try await store.setPagerListRegion(id, osp: tenant.id, features: features, actor: try context.requireCaller().actor)
        return try jsonResponse(try PagerListView(try found(detail)))
    }

    @Sendable func setContacts(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.osp, because: Self.ospOnly)
        let body = try await request.decodeBody(ContactsBody.self, context: context)
        let detail = try await store.setPagerListContacts(try listID(context), osp: tenant.id, contacts: body.contacts, actor: try context.requireCaller().actor)
        return try jsonResponse(try PagerListView(try found(detail)))
    }

    private func listID(_ context: StrikeRequestContext) throws -> PagerListID {
        PagerListID(try context.parameters.require("id"))
    }

    private func found(_ detail: PagerListDetail?) throws -> PagerListDetail {
        guard let detail else { throw Problem.notFound("there is no such pager list") }
        return detail
    }
}
