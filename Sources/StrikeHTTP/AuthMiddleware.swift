import Foundation
public import Hummingbird
public import HTTPTypes
public import StrikeStore

/// Finds the caller (for every path but the simulators' `/sim/…`): an `Authorization: Bearer` API token, or the session cookie. A state-changing request
/// that authenticates by cookie must carry the session's CSRF token in `X-CSRF-Token`.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = StrikeRequestContext

    public static let sessionCookie = "strike_session"
    public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    let store: any TenantDirectory

    public init(store: any TenantDirectory) { self.store = store }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The simulators stand in for Render and Twilio, and check those services' credentials themselves.
        if request.uri.path.hasPrefix("/sim/") { return try await next(request, context) }
        var context = context
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer "), authorization.count > 7 else {
                throw Problem.unauthorized("only `Authorization: Bearer <API token>` is accepted")
            }
            let secret = String(authorization.dropFirst(7))
            guard let token = try await store.useToken(tokenHash: Secrets.fingerprint(secret)) else {
                throw Problem.unauthorized("the API token is unknown or revoked")
            }
            context.caller = .token(token)
        } else if let cookie = request.cookies[Self.sessionCookie], !Self.isSignIn(request) {
            let hash = Secrets.fingerprint(cookie.value)
            if let session = try await store.session(idHash: hash) {
                if Self.changesState(request.method), request.headers[Self.csrfHeader] != session.csrfToken {
                    throw Problem.forbidden("the X-CSRF-Token header is missing or does not match the session")
                }
                context.caller = .user(session.user, sessionHash: hash, memberships: session.memberships)
            }
        }
        return try await next(request, context)
    }

    /// Signing in starts a new session: a cookie left from an old one is not looked at, so a browser holding a
    /// stale cookie (and no CSRF token for it) can still sign in.
    static func isSignIn(_ request: Request) -> Bool {
        request.method == .post && request.uri.path == "/api/session"
    }

    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        ![.get, .head, .options].contains(method)
    }
}
