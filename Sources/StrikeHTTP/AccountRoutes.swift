public import Foundation
import Hummingbird
import HTTPTypes
import StrikeCore
import StrikeRuntime
import StrikeStore

/// How the API treats credentials.
public struct APISettings: Sendable {
    /// bcrypt cost for new password hashes (12 in production; tests use the minimum, 4).
    public var passwordCost: UInt8 = 12
    public var sessionLifetime: TimeInterval = 12 * 3600

    public init() {}
}

// MARK: - Bodies and views

struct SetupBody: RequestBody {
    static let fields: Set<String> = ["username", "displayName", "password", "noc", "noc.name"]
    let username: String
    let displayName: String
    let password: String
    /// The first NOC, made with the owner as its admin.
    let noc: FirstNOC?

    struct FirstNOC: Decodable {
        let name: String
    }
}

/// What the first run made.
struct SetUp: Encodable {
    let user: User
    let noc: Tenant?
}

struct LoginBody: RequestBody {
    static let fields: Set<String> = ["username", "password"]
    let username: String
    let password: String
}

struct PasswordBody: RequestBody {
    static let fields: Set<String> = ["currentPassword", "newPassword"]
    let currentPassword: String
    let newPassword: String
}

struct SignedIn: Encodable {
    let user: User
    let memberships: [Membership]
    let csrfToken: String
}

struct Me: Encodable {
    let user: User?
    let token: APIToken?
    let memberships: [Membership]
    /// For a browser session: the token its state-changing requests carry, so a reloaded page can go on.
    let csrfToken: String?
}

/// First-owner setup, sign-in and sign-out, and the caller's own account.
struct AccountRoutes {
    let store: any TenantDirectory
    let settings: APISettings
    let clock: ApplianceClock
    let throttle = LoginThrottle()
    /// Checked against when the username is unknown, so a miss costs what a wrong password costs. Hashed in the
    /// background from the start: a bcrypt hash at the production cost takes about a quarter of a second, which
    /// the appliance does not make every start wait for.
    let decoyHash: Task<String, Never>

    init(store: any TenantDirectory, settings: APISettings, clock: ApplianceClock) {
        self.store = store
        self.settings = settings
        self.clock = clock
        decoyHash = Task { await Passwords.hash(Secrets.random(), cost: settings.passwordCost) }
    }

    func register(_ api: APIRouter) {
        api.add(.get, "/api/setup", access: .anyone, setupState)
        api.add(.post, "/api/setup", access: .anyone, setup)
        api.add(.get, "/api/session", access: .anyone, sessionState)
        api.add(.post, "/api/session", access: .anyone, signIn)
        api.add(.delete, "/api/session", access: .signedIn, signOut)
        api.add(.get, "/api/me", access: .signedIn, me)
        api.add(.post, "/api/me/password", access: .signedIn, changePassword)
    }

    /// Whether the first run is still open (no owner yet): the dashboard shows its setup page then.
    @Sendable func setupState(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(["open": try await !store.hasOwner()])
    }

    /// Makes the first owner, and the first NOC if named; once an owner exists this route answers 404, as if it
    /// had never been there.
    @Sendable func setup(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        guard try await !store.hasOwner() else { throw Problem.notFound() }
        let body = try await request.decodeBody(SetupBody.self, context: context)
        let owner = NewAccount(username: body.username, displayName: body.displayName, password: body.password, isOwner: true, membership: nil)
        let made = try await store.setUp(owner: owner, firstNOC: body.noc?.name, passwordCost: settings.passwordCost)
        return try jsonResponse(SetUp(user: made.owner, noc: made.noc), status: .created)
    }

    @Sendable func signIn(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let body = try await request.decodeBody(LoginBody.self, context: context)
        let now = clock.now()
        if let wait = throttle.retryAfter(body.username, now: now) {
            throw Problem.tooManyRequests(retryAfter: wait, detail: "too many failed sign-ins for \(body.username); try again in \(wait) s")
        }
        let found = try await store.credentials(username: body.username)
        let hash = if let found { found.passwordHash } else { await decoyHash.value }
        let matches = await Passwords.verify(body.password, hash: hash)
        guard let found, matches else {
            throttle.recordFailure(body.username, now: now)
            throw Problem.unauthorized("the username or password is wrong")
        }
        guard found.user.disabledAt == nil else {
            throw Problem.forbidden("this account is disabled; ask the appliance's owner")
        }
        throttle.reset(body.username)
        let sessionID = Secrets.random(), csrfToken = Secrets.random()
        try await store.createSession(
            idHash: Secrets.fingerprint(sessionID), userID: found.user.id, csrfToken: csrfToken,
            expiresAt: now.addingTimeInterval(settings.sessionLifetime))
        let memberships = try await store.memberships(userID: found.user.id)
        var response = try jsonResponse(SignedIn(user: found.user, memberships: memberships, csrfToken: csrfToken))
        response.setCookie(sessionCookie(sessionID, maxAge: Int(settings.sessionLifetime), secure: Self.cameOverHTTPS(request)))
        return response
    }

    @Sendable func signOut(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        guard case .user(_, let sessionHash, _) = try context.requireCaller() else {
            throw Problem.forbidden("an API token has no session to end; revoke the token instead")
        }
        try await store.deleteSession(idHash: sessionHash)
        var response = Response(status: .noContent)
        response.setCookie(sessionCookie("", maxAge: 0, secure: Self.cameOverHTTPS(request)))
        return response
    }

    /// Whether this browser is signed in, without an error when it is not: the dashboard asks on load.
    @Sendable func sessionState(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(["signedIn": context.caller != nil])
    }

    @Sendable func me(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        switch try context.requireCaller() {
        case .user(let user, let sessionHash, let memberships):
            let csrfToken = try await store.session(idHash: sessionHash)?.csrfToken
            return try jsonResponse(Me(user: user, token: nil, memberships: memberships, csrfToken: csrfToken))
        case .token(let token):
            let membership = Membership(tenantID: token.tenantID, tenantName: token.tenantName, tenantKind: token.tenantKind, role: token.role)
            return try jsonResponse(Me(user: nil, token: token, memberships: [membership], csrfToken: nil))
        }
    }

    @Sendable func changePassword(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        guard case .user(let user, let sessionHash, _) = try context.requireCaller() else {
            throw Problem.forbidden("an API token has no password")
        }
        let body = try await request.decodeBody(PasswordBody.self, context: context)
        let problems = PasswordRules.problems(body.newPassword, field: "newPassword")
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        guard let stored = try await store.passwordHash(userID: user.id), await Passwords.verify(body.currentPassword, hash: stored) else {
            throw Problem.invalid([FieldProblem(field: "currentPassword", message: "is wrong")])
        }
        let hash = await Passwords.hash(body.newPassword, cost: settings.passwordCost)
        try await store.changePassword(userID: user.id, passwordHash: hash, keepingSession: sessionHash, actor: .user(user.id))
        return Response(status: .noContent)
    }

    /// Whether the browser reached the appliance over https, through a proxy that terminates TLS and says so
    /// (`X-Forwarded-Proto: https`). The cookie is `Secure` then, and only then: a browser drops a `Secure` cookie
    /// set over plain http, and the dashboard is often reached so on the LAN while Twilio's callbacks come in over
    /// https. A client that claims https falsely only makes its own cookie stricter.
    static func cameOverHTTPS(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    private func sessionCookie(_ value: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(
            name: AuthMiddleware.sessionCookie, value: value, maxAge: maxAge, path: "/", secure: secure,
            httpOnly: true, sameSite: .strict)
    }
}
