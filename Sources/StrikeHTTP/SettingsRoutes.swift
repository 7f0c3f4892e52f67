import Hummingbird
import StrikeCore
import StrikeStore

struct SettingsBody: RequestBody {
    static let fields: Set<String> = [
        "mapZoom", "mapZoom.create", "mapZoom.view", "mapZoom.list", "mapCenter", "mapCenter.longitude", "mapCenter.latitude",
        "contactTimeoutSeconds", "listRepeats", "gracePeriodHours",
    ]
    let mapZoom: TenantSettings.MapZoom?
    let mapCenter: TenantSettings.MapCenter?
    let contactTimeoutSeconds: Int?
    let listRepeats: Int?
    let gracePeriodHours: Int?
}

/// The active tenant's settings: every member reads them (the dashboard needs the map's), admins change them.
struct SettingsRoutes {
    let store: StrikeStore

    func register(_ api: APIRouter) {
        api.add(.get, "/api/settings", access: .member(.viewer), get)
        api.add(.patch, "/api/settings", access: .member(.admin), change)
    }

    @Sendable func get(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await store.settings(of: try context.requireTenant().id))
    }

    @Sendable func change(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let body = try await request.decodeBody(SettingsBody.self, context: context)
        let change = TenantSettingsChange(
            mapZoom: body.mapZoom, mapCenter: body.mapCenter, contactTimeoutSeconds: body.contactTimeoutSeconds,
            listRepeats: body.listRepeats, gracePeriodHours: body.gracePeriodHours)
        return try jsonResponse(try await store.changeSettings(of: tenant.id, change, actor: try context.requireCaller().actor))
    }
}
