import Foundation
import Hummingbird
import StrikeCore
import StrikeStore

struct RenderInstanceBody: RequestBody {
    static let fields: Set<String> = [
        "mode", "baseURL", "clientID", "clientSecret", "projectID", "pollIntervalSeconds", "inactivityHours", "gracePeriodHours",
        "defaultTaskType",
    ]
    let mode: ServiceMode
    let baseURL: String?
    let clientID: String
    let clientSecret: String?
    let projectID: String
    let pollIntervalSeconds: Int?
    let inactivityHours: Int?
    let gracePeriodHours: Int?
    let defaultTaskType: String?
}

struct TwilioAccountBody: RequestBody {
    static let fields: Set<String> = ["mode", "accountSID", "authToken", "fromNumber"]
    let mode: ServiceMode
    let accountSID: String
    let authToken: String?
    let fromNumber: String
}

/// The outside services a tenant works through: an OSP's Render instance, a NOC's Twilio account.
/// Their secrets are written, never read back: answers say only whether one is set.
struct FieldAccountRoutes {
    let store: any FieldAccounts & TenantDirectory

    func register(_ api: APIRouter) {
        api.add(.get, "/api/render-instance", access: .member(.admin), renderInstance)
        api.add(.put, "/api/render-instance", access: .member(.admin), setRenderInstance)
        api.add(.get, "/api/twilio-account", access: .member(.admin), twilioAccount)
        api.add(.put, "/api/twilio-account", access: .member(.admin), setTwilioAccount)
    }

    private static let ospOnly = "only an OSP has a Render instance"
    private static let nocOnly = "only a NOC has a Twilio account"

    @Sendable func renderInstance(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.osp, because: Self.ospOnly)
        guard let instance = try await store.renderInstance(osp: tenant.id) else { throw Problem.notFound("no Render instance is set up yet") }
        return try jsonResponse(instance)
    }

    @Sendable func setRenderInstance(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.osp, because: Self.ospOnly)
        let body = try await request.decodeBody(RenderInstanceBody.self, context: context)
        let change = RenderInstanceChange(
            mode: body.mode, baseURL: body.baseURL, clientID: body.clientID, clientSecret: body.clientSecret, projectID: body.projectID,
            pollIntervalSeconds: body.pollIntervalSeconds ?? 60, inactivityHours: body.inactivityHours ?? 24,
            gracePeriodHours: body.gracePeriodHours ?? 24, defaultTaskType: body.defaultTaskType ?? RenderInstanceChange.defaultTaskType)
        return try jsonResponse(try await store.setRenderInstance(osp: tenant.id, change, actor: try context.requireCaller().actor))
    }

    @Sendable func twilioAccount(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.noc, because: Self.nocOnly)
        guard let account = try await store.twilioAccount(noc: tenant.id) else { throw Problem.notFound("no Twilio account is set up yet") }
        return try jsonResponse(account)
    }

    @Sendable func setTwilioAccount(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.noc, because: Self.nocOnly)
        let body = try await request.decodeBody(TwilioAccountBody.self, context: context)
        let change = TwilioAccountChange(mode: body.mode, accountSID: body.accountSID, authToken: body.authToken, fromNumber: body.fromNumber)
        return try jsonResponse(try await store.setTwilioAccount(noc: tenant.id, change, actor: try context.requireCaller().actor))
    }
}
