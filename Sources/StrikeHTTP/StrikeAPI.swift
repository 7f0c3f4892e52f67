public import Hummingbird
import HTTPTypes
public import StrikeStore
public import StrikeCore
public import Foundation

/// How Twilio's webhooks reach the pager manager: applies a signal to a run, given the run's process as the
/// webhook just read it, and returns what the signal made happen (nothing for a duplicate or a late one).
public typealias PagerSignaling = @Sendable (PagerSignal, PagerRunID, StoredPagerProcess?) async throws -> [PagerStep]

/// The appliance's HTTP surface: health routes, the JSON API under `/api` with its route table, and the dashboard.
public struct StrikeAPI {
    public let router: Router<StrikeRequestContext>
    /// Every API route with its access rule, as registered.
    public let routes: [RouteSpec]

    /// `signalPager` takes what Twilio's webhooks report (the pager manager's `signal`); `callbackBases` are the
    /// addresses Twilio was told to call back (the public base URL, and the appliance's local address for the
    /// simulator). `upkeep` holds the appliance's backups, offline map and Twilio setup check.
    public static func build(
        store: StrikeStore, settings: APISettings, signalPager: @escaping PagerSignaling, callbackBases: [URL],
        upkeep: ApplianceUpkeep, readiness: @escaping @Sendable () async -> Readiness
    ) async -> StrikeAPI {
        let router = Router(context: StrikeRequestContext.self)
        let metrics = ApplianceMetrics(store: store)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ProblemMiddleware())
        let api = APIRouter(router: router)
        router.add(middleware: MethodNotAllowedMiddleware(table: api.table))
        router.add(middleware: AuthMiddleware(store: store))
        HealthRoutes(readiness: readiness).register(api)
        AccountRoutes(store: store, settings: settings, clock: store.clock).register(api)
        TokenRoutes(store: store).register(api)
        EcoRoutes(store: store).register(api)
        AttentionRoutes(store: store).register(api)
        StreamRoutes(store: store).register(api)
        TenantRoutes(store: store).register(api)
        SettingsRoutes(store: store).register(api)
        PagerListRoutes(store: store).register(api)
        FieldAccountRoutes(store: store).register(api)
        DeadLetterRoutes(store: store).register(api)
        SimulatorRoutes(store: store).register(api)
        TwilioWebhookRoutes(store: store, signalPager: signalPager, callbackBases: callbackBases).register(api)
        OpenAPIRoute().register(api)
        UserRoutes(store: store, settings: settings).register(api)
        MetricsRoutes(metrics: metrics).register(api)
        BackupRoutes(backups: upkeep.backups).register(api)
        TileRoutes(tiles: upkeep.tiles).register(api)
        TwilioSetupRoutes(pings: upkeep.pings, check: upkeep.checkTwilioSetup).register(api)
        DashboardRoutes(store: store).register(on: router)
        return StrikeAPI(router: router, routes: api.routes)
    }
}

/// What the API offers for keeping the appliance itself: its backups, its offline base map, and the check of a
/// NOC's Twilio setup with the pings that check fetches.
public struct ApplianceUpkeep: Sendable {
    public var backups: ScheduledBackups
    public var tiles: TileArchive
    public var pings: PingNonces
    public var checkTwilioSetup: TwilioSetupChecking

    public init(backups: ScheduledBackups, tiles: TileArchive, pings: PingNonces, checkTwilioSetup: @escaping TwilioSetupChecking) {
        self.backups = backups
        self.tiles = tiles
        self.pings = pings
        self.checkTwilioSetup = checkTwilioSetup
    }
}

/// Headers every answer carries, so a browser never sniffs, frames or leaks what the appliance serves.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return Self.secure(try await next(request, context))
        } catch let error as any HTTPResponseError {
            return Self.secure(try error.response(from: request, context: context))
        }
    }

    /// The policy every answer carries unless it set its own: the dashboard's page widens `img-src` by the
    /// tile servers its tenants configured.
    static func contentSecurityPolicy(tileOrigins: [String] = []) -> String {
        let images = (["'self'", "data:"] + tileOrigins).joined(separator: " ")
        return "default-src 'self'; img-src \(images); object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    }

    static func secure(_ response: Response) -> Response {
        var response = response
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = contentSecurityPolicy() }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return response
    }
}

/// A known path asked with a method it does not serve answers 405 naming the methods it does (`Allow`),
/// instead of a 404 that would say the path does not exist; whatever the method, even one HTTP added later.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = StrikeRequestContext
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let served = table.methods(servingPath: request.uri.path[...])
            guard !served.isEmpty, !served.contains(request.method) else { throw error }
            let allow = served.map(\.rawValue).sorted().joined(separator: ", ")
            var problem = Problem(.methodNotAllowed, detail: "\(request.uri.path) answers \(allow) only")
            problem.headers[.allow] = allow
            throw problem
        }
    }
}
