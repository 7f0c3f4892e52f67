import Hummingbird
import StrikeCore
import StrikeStore

struct SettingsBody: RequestBody {
    static let fields: Set<String> = [
        "mapZoom", "mapZoom.create", "mapZoom.view", "mapZoom.list", "mapCenter", "mapCenter.longitude", "mapCenter.latitude",
        "contactTimeoutSeconds", "listRepeats", "gracePeriodHours", "tileURLTemplate",
    ]
    let mapZoom: TenantSettings.MapZoom?
    let mapCenter: TenantSettings.MapCenter?
    let contactTimeoutSeconds: Int?
    let listRepeats: Int?
    let gracePeriodHours: Int?
    /// Absent: unchanged; `null` or empty: no base map.
    let tileURLTemplate: String??

    private enum CodingKeys: String, CodingKey {
        case mapZoom, mapCenter, contactTimeoutSeconds, listRepeats, gracePeriodHours, tileURLTemplate
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mapZoom = try container.decodeIfPresent(TenantSettings.MapZoom.self, forKey: .mapZoom)
        mapCenter = try container.decodeIfPresent(TenantSettings.MapCenter.self, forKey: .mapCenter)
        contactTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .contactTimeoutSeconds)
        listRepeats = try container.decodeIfPresent(Int.self, forKey: .listRepeats)
        gracePeriodHours = try container.decodeIfPresent(Int.self, forKey: .gracePeriodHours)
        tileURLTemplate = container.contains(.tileURLTemplate) ? .some(try container.decodeIfPresent(String.self, forKey: .tileURLTemplate)) : nil
    }
}

/// The active tenant's settings: every member reads them (the dashboard needs the map's), admins change them.
struct SettingsRoutes {
    let store: any TenantDirectory

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
            listRepeats: body.listRepeats, gracePeriodHours: body.gracePeriodHours, tileURLTemplate: body.tileURLTemplate)
        return try jsonResponse(try await store.changeSettings(of: tenant.id, change, actor: try context.requireCaller().actor))
    }
}
