import Foundation
public import Hummingbird
public import StrikeCore
public import StrikeStore

/// Who is calling: a signed-in user (by session cookie) or a script (by API token).
public enum Caller: Sendable {
    case user(User, sessionHash: String, memberships: [Membership])
    case token(APIToken)

    /// The actor recorded in events and the audit log.
    public var actor: ActorID {
        switch self {
        case .user(let user, _, _): .user(user.id)
        case .token(let token): ActorID("token:\(token.id)")
        }
    }
}

/// The tenant a request acts in, and the caller's role there.
public struct ActiveTenant: Sendable {
    public let id: TenantID
    public let kind: TenantKind
    public let name: String
    public let role: Role

    /// Which ECOs this tenant sees.
    public var visibility: Visibility { Visibility(tenantID: id, kind: kind) }
}

public struct StrikeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?
    public var tenant: ActiveTenant?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Request bodies above this are refused with 413.
    public var maxUploadSize: Int { 256 * 1024 }

    public func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.unauthorized() }
        return caller
    }

    public func requireTenant() throws -> ActiveTenant {
        guard let tenant else { throw Problem.forbidden("this needs an active tenant") }
        return tenant
    }

    /// The active tenant when it is a NOC or an OSP as the route needs; 403 saying why otherwise.
    public func requireTenant(_ kind: TenantKind, because reason: String) throws -> ActiveTenant {
        let tenant = try requireTenant()
        guard tenant.kind == kind else { throw Problem.forbidden(reason) }
        return tenant
    }
}
