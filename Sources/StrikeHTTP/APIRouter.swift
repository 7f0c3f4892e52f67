public import Hummingbird
public import HTTPTypes
public import StrikeCore
import StrikeStore
import Synchronization

/// Who may use a route.
public enum Access: Sendable, Equatable {
    /// No credentials needed (login, first-owner setup, health).
    case anyone
    /// Any signed-in user or token.
    case signedIn
    /// The appliance owner only.
    case owner
    /// A member of the active tenant with at least this role.
    case member(Role)
}

/// One route as declared: the tests walk this table so a new route cannot forget its access rule.
public struct RouteSpec: Sendable, Equatable {
    public let method: HTTPRequest.Method
    public let path: String
    public let access: Access
}

/// Every route registered so far; shared with the middleware that answers 405.
public final class RouteTable: Sendable {
    private let specs = Mutex<[RouteSpec]>([])

    public var routes: [RouteSpec] { specs.withLock { $0 } }

    func append(_ spec: RouteSpec) { specs.withLock { $0.append(spec) } }

    /// The methods registered for a concrete path such as `/api/ecos/42`.
    public func methods(servingPath path: Substring) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            let pattern = route.path.split(separator: "/", omittingEmptySubsequences: true)
            return pattern.count == segments.count
                && zip(pattern, segments).allSatisfy { expected, given in expected.hasPrefix("{") || expected == given }
        }.map(\.method)
    }
}

/// Registers API routes with their access rule, enforced before the handler runs.
public final class APIRouter {
    public let router: Router<StrikeRequestContext>
    public let table = RouteTable()
    public var routes: [RouteSpec] { table.routes }

    public init(router: Router<StrikeRequestContext>) { self.router = router }

    /// `tenantInQuery`: the route also takes the active tenant as `?tenant=`, for clients that cannot set
    /// headers (a browser's EventSource); the header wins when both are given.
    public func add(
        _ method: HTTPRequest.Method, _ path: String, access: Access, tenantInQuery: Bool = false,
        _ handler: @escaping @Sendable (Request, StrikeRequestContext) async throws -> Response
    ) {
        table.append(RouteSpec(method: method, path: path, access: access))
        router.on(RouterPath(path), method: method) { request, context in
            var context = context
            try Self.authorize(access, request: request, tenantInQuery: tenantInQuery, context: &context)
            return try await handler(request, context)
        }
    }

    static let tenantHeader = HTTPField.Name("X-Tenant-ID")!

    /// Checks the caller against the rule and, for tenant routes, settles the active tenant.
    static func authorize(_ access: Access, request: Request, tenantInQuery: Bool, context: inout StrikeRequestContext) throws {
        guard access != .anyone else { return }
        let caller = try context.requireCaller()
        switch (access, caller) {
        case (.anyone, _), (.signedIn, _):
            return
        case (.owner, .user(let user, _, _)):
            guard user.isOwner else { throw Problem.forbidden("only the appliance owner may do this") }
        case (.owner, .token):
            throw Problem.forbidden("only the appliance owner may do this, and not with an API token")
        case (.member(let needed), _):
            let requested = request.headers[tenantHeader] ?? (tenantInQuery ? request.uri.queryParameters["tenant"].map(String.init) : nil)
            let tenant = try activeTenant(caller, requested: requested)
            guard tenant.role >= needed else {
                throw Problem.forbidden("this needs the \(needed.rawValue) role in \(tenant.name); you are \(tenant.role.rawValue)")
            }
            context.tenant = tenant
        }
    }

    /// `X-Tenant-ID` chooses among the caller's memberships; without it, the first one.
    static func activeTenant(_ caller: Caller, requested: String?) throws -> ActiveTenant {
        switch caller {
        case .user(_, _, let memberships):
            let chosen = requested.map { id in memberships.first { $0.tenantID.rawValue == id } } ?? memberships.first
            guard let membership = chosen else {
                throw Problem.forbidden(requested == nil ? "you are not a member of any tenant" : "you are not a member of tenant \(requested!)")
            }
            return ActiveTenant(id: membership.tenantID, kind: membership.tenantKind, name: membership.tenantName, role: membership.role)
        case .token(let token):
            if let requested, requested != token.tenantID.rawValue {
                throw Problem.forbidden("this API token belongs to another tenant")
            }
            return ActiveTenant(id: token.tenantID, kind: token.tenantKind, name: token.tenantName, role: token.role)
        }
    }
}
