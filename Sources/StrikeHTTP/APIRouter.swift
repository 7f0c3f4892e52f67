public import Hummingbird
public import HTTPTypes
public import StrikeStore
import StrikeCore

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

/// Registers API routes with their access rule, enforced before the handler runs.
public final class APIRouter {
    public let router: Router<StrikeRequestContext>
    public private(set) var routes: [RouteSpec] = []

    public init(router: Router<StrikeRequestContext>) { self.router = router }

    public func add(
        _ method: HTTPRequest.Method, _ path: String, access: Access,
        _ handler: @escaping @Sendable (Request, StrikeRequestContext) async throws -> Response
    ) {
        routes.append(RouteSpec(method: method, path: path, access: access))
        router.on(RouterPath(path), method: method) { request, context in
            var context = context
            try Self.authorize(access, request: request, context: &context)
            return try await handler(request, context)
        }
    }

    /// After every route is added: a method a path does not serve answers 405 naming the ones it does
    /// (`Allow`), instead of a 404 that would say the path does not exist.
    public func refuseOtherMethods() {
        for (path, specs) in Dictionary(grouping: routes, by: \.path) {
            let served = specs.map(\.method)
            let allow = served.map(\.rawValue).sorted().joined(separator: ", ")
            for method in Self.refusableMethods where !served.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in
                    var problem = Problem(.methodNotAllowed, detail: "\(path) answers \(allow) only")
                    problem.headers[.allow] = allow
                    throw problem
                }
            }
        }
    }

    static let refusableMethods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .trace]

    static let tenantHeader = HTTPField.Name("X-Tenant-ID")!

    /// Checks the caller against the rule and, for tenant routes, settles the active tenant.
    static func authorize(_ access: Access, request: Request, context: inout StrikeRequestContext) throws {
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
            let tenant = try activeTenant(caller, requested: request.headers[tenantHeader])
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
