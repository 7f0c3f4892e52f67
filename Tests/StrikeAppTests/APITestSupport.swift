import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeCore
import StrikeHTTP
import StrikeIntegrations
import StrikeRuntime
import StrikeStore
import StrikeTestSupport
import Testing

/// The test world behind the real API: an owner, and users of every role in the NOC and the OSP.
struct APIWorld {
    static let password = "correct horse battery"
    let world: TestWorld
    let appliance: Appliance

    /// `transport` is where the pager's calls go (a `FakeTwilio` in the webhook tests); `configure` changes the
    /// appliance's configuration before it starts.
    static func make(
        transport: any HTTPTransport = URLSessionTransport(), clock: ApplianceClock = .system,
        configure: (inout AppConfiguration) -> Void = { _ in }
    ) async throws -> APIWorld {
        let world = try await TestWorld.make(clock: clock)
        var configuration = AppConfiguration()
        configuration.databasePath = world.databasePath
        configuration.passwordCost = 4
        configure(&configuration)
        let appliance = try await Appliance(configuration: configuration, store: world.store, workers: false, transport: transport)
        let api = APIWorld(world: world, appliance: appliance)
        try await api.addUser("owner", owner: true)
        for role in Role.allCases {
            try await api.addUser("noc-\(role.rawValue)", tenant: TestWorld.noc, role: role)
            try await api.addUser("osp-\(role.rawValue)", tenant: TestWorld.osp, role: role)
        }
        return api
    }

    func addUser(_ username: String, owner: Bool = false, tenant: TenantID? = nil, role: Role? = nil) async throws {
        let membership = tenant.flatMap { tenant in role.map { NewAccount.Membership(tenant: tenant, role: $0) } }
        let account = NewAccount(username: username, displayName: username, password: Self.password, isOwner: owner, membership: membership)
        _ = try await world.store.createAccount(account, passwordCost: 4, actor: .system("test"))
    }

    /// A second NOC and a second OSP, each linked to the first of the other kind, with an admin each
    /// (`other-noc-admin`, `other-osp-admin`): the strangers of the isolation tests.
    func addOtherTenants() async throws {
        let store = world.store
        _ = try await store.createTenant(kind: .noc, name: "Other NOC", id: TenantID("other-noc"), actor: .system("test"))
        _ = try await store.createTenant(kind: .osp, name: "Other OSP", jobPrefix: "OX", id: TenantID("other-osp"), actor: .system("test"))
        try await store.setLink(noc: TestWorld.noc, osp: TenantID("other-osp"), status: .active, actor: .system("test"))
        try await store.setLink(noc: TenantID("other-noc"), osp: TestWorld.osp, status: .active, actor: .system("test"))
        try await addUser("other-noc-admin", tenant: TenantID("other-noc"), role: .admin)
        try await addUser("other-osp-admin", tenant: TenantID("other-osp"), role: .admin)
    }

    /// The route table as the appliance registers it.
    func routes() async -> [RouteSpec] {
        await StrikeAPI.build(
            store: world.store, settings: appliance.configuration.apiSettings, signalPager: appliance.pager.signal, callbackBases: [],
            upkeep: appliance.upkeep
        ) { Readiness(checks: []) }.routes
    }

    /// Runs `body` against the router, without a socket.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = await buildApplication(appliance)
        try await app.test(.router) { client in try await body(client) }
    }
}

/// A signed-in browser: its session cookie and CSRF token.
struct Session {
    let cookie: String
    let csrf: String

    /// Headers a browser sends with a state-changing request.
    var headers: HTTPFields {
        [.cookie: "\(AuthMiddleware.sessionCookie)=\(cookie)", AuthMiddleware.csrfHeader: csrf, .contentType: "application/json"]
    }

    /// The cookie alone, as a forged cross-site request would carry it.
    var cookieOnly: HTTPFields { [.cookie: "\(AuthMiddleware.sessionCookie)=\(cookie)", .contentType: "application/json"] }
}

extension TestClientProtocol {
    func signIn(_ username: String, _ password: String = APIWorld.password) async throws -> Session {
        let response = try await post("/api/session", ["username": username, "password": password])
        #expect(response.status == .ok, "sign-in of \(username): \(String(buffer: response.body))")
        let setCookie = try #require(response.headers[.setCookie])
        let value = try #require(setCookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        return Session(cookie: String(value), csrf: try #require(body["csrfToken"] as? String))
    }

    func post(_ uri: String, _ body: [String: any Sendable], headers: HTTPFields = [.contentType: "application/json"]) async throws -> TestResponse {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(data: data))
    }

    /// Any method with a JSON body (an object, array or fragment).
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: Any, headers: HTTPFields) async throws -> TestResponse {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.fragmentsAllowed])
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(data: data))
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    var text: String { String(buffer: body) }

    var jsonArray: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [[String: Any]]) ?? []
    }

    /// The field names of a validation problem's per-field errors.
    var problemFields: [String] {
        (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }
}
