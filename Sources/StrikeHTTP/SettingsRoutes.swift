import Hummingbird
import StrikeCore
import StrikeStore

struct SettingsBody: RequestBody {
    static let fields: Set<String> = [
        "mapZoom", "mapZoom.create", "mapZoom.view", "mapZoom.list", "mapCenter", "mapCenter.longitude", "mapCenter.latitude",
        "contactTimeoutSeconds", "listRepeats", "acceptanceTimeoutMinutes", "repageOnAcceptanceTimeout", "pagingAlertMinutes",
        "tileURLTemplate",
    ]
    let mapZoom: TenantSettings.MapZoom?
    let mapCenter: TenantSettings.MapCenter?
    let contactTimeoutSeconds: Int?
    let listRepeats: Int?
    let acceptanceTimeoutMinutes: Int?
    let repageOnAcceptanceTimeout: Bool?
    let pagingAlertMinutes: Int?
    /// Absent: unchanged; `null` or empty: no base map.
    let tileURLTemplate: String??

    private enum CodingKeys: String, CodingKey {
        case mapZoom, mapCenter, contactTimeoutSeconds, listRepeats, acceptanceTimeoutMinutes, repageOnAcceptanceTimeout, pagingAlertMinutes
        case tileURLTemplate
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mapZoom = try container.decodeIfPresent(TenantSettings.MapZoom.self, forKey: .mapZoom)
        mapCenter = try container.decodeIfPresent(TenantSettings.MapCenter.self, forKey: .mapCenter)
        contactTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .contactTimeoutSeconds)
        listRepeats = try container.decodeIfPresent(Int.self, forKey: .listRepeats)
        acceptanceTimeoutMinutes = try container.decodeIfPresent(Int.self, forKey: .acceptanceTimeoutMinutes)
        repageOnAcceptanceTimeout = try container.decodeIfPresent(Bool.self, forKey: .repageOnAcceptanceTimeout)
        pagingAlertMinutes = try container.decodeIfPresent(Int.self, forKey: .pagingAlertMinutes)
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
        let tenant = try context.requireTenant()
        return try jsonResponse(try Self.view(try await store.settings(of: tenant.id), kind: tenant.kind))
    }

    /// Only the settings that act for the tenant: a NOC's answer has no paging settings.
    static func view(_ settings: TenantSettings, kind: TenantKind) throws -> RecordView {
        try RecordView(settings, hiding: kind == .osp ? [] : Array(TenantSettings.pagingFields))
    }

    @Sendable func change(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let body = try await request.decodeBody(SettingsBody.self, context: context)
        let change = TenantSettingsChange(
            mapZoom: body.mapZoom, mapCenter: body.mapCenter, contactTimeoutSeconds: body.contactTimeoutSeconds,
            listRepeats: body.listRepeats, acceptanceTimeoutMinutes: body.acceptanceTimeoutMinutes,
            repageOnAcceptanceTimeout: body.repageOnAcceptanceTimeout, pagingAlertMinutes: body.pagingAlertMinutes,
            tileURLTemplate: body.tileURLTemplate)
        let changed = try await store.changeSettings(of: tenant.id, change, actor: try context.requireCaller().actor)
        return try jsonResponse(try Self.view(changed, kind: tenant.kind))
    }
}
