import Foundation
import Hummingbird
import StrikeCore
import StrikeStore

struct NewMemberBody: RequestBody {
    static let fields: Set<String> = ["username", "displayName", "password", "role"]
    let username: String
    let displayName: String
    let password: String
    let role: Role
}

/// The owner's: a new account (`displayName` and `password` given) or an existing one (neither given).
struct TenantMemberBody: RequestBody {
    static let fields: Set<String> = ["username", "displayName", "password", "role"]
    let username: String
    let displayName: String?
    let password: String?
    let role: Role
}

struct RoleBody: RequestBody {
    static let fields: Set<String> = ["role"]
    let role: Role
}

struct MemberView: Encodable {
    let user: User
    let role: Role
}

/// Who belongs to a tenant, with which role: a tenant admin's users, made as new accounts; and for the owner,
/// any tenant's members, new accounts or existing ones (so a tenant the owner just added gets its first admin).
struct UserRoutes {
    let store: any TenantDirectory
    let settings: APISettings

    func register(_ api: APIRouter) {
        api.add(.get, "/api/users", access: .member(.admin), list)
        api.add(.post, "/api/users", access: .member(.admin), create)
        api.add(.put, "/api/users/{id}/role", access: .member(.admin), setRole)
        api.add(.delete, "/api/users/{id}/membership", access: .member(.admin), remove)
        api.add(.get, "/api/tenants/{id}/members", access: .owner, tenantMembers)
        api.add(.post, "/api/tenants/{id}/members", access: .owner, addTenantMember)
    }

    @Sendable func list(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await members(of: try context.requireTenant().id))
    }

    @Sendable func create(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let body = try await request.decodeBody(NewMemberBody.self, context: context)
        let user = try await newAccount(
            username: body.username, displayName: body.displayName, password: body.password, role: body.role, tenant: tenant.id, context)
        return try jsonResponse(MemberView(user: user, role: body.role), status: .created)
    }

    @Sendable func tenantMembers(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await members(of: try await ownersTenant(context)))
    }

    @Sendable func addTenantMember(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try await ownersTenant(context)
        let body = try await request.decodeBody(TenantMemberBody.self, context: context)
        let user: User
        switch (body.displayName, body.password) {
        case (let displayName?, let password?):
            user = try await newAccount(
                username: body.username, displayName: displayName, password: password, role: body.role, tenant: tenant, context)
        case (nil, nil):
            user = try await store.addMember(username: body.username, tenantID: tenant, role: body.role, actor: try context.requireCaller().actor)
        case (nil, _):
            throw Problem.invalid([FieldProblem(field: "displayName", message: "is required for a new account (leave out password to add an existing one)")])
        case (_, nil):
            throw Problem.invalid([FieldProblem(field: "password", message: "is required for a new account (leave out displayName to add an existing one)")])
        }
        return try jsonResponse(MemberView(user: user, role: body.role), status: .created)
    }

    private func members(of tenant: TenantID) async throws -> [MemberView] {
        try await store.members(of: tenant).map { MemberView(user: $0.user, role: $0.role) }
    }

    /// The tenant named in the path, for the owner; 404 when there is none.
    private func ownersTenant(_ context: StrikeRequestContext) async throws -> TenantID {
        let id = TenantID(try context.parameters.require("id"))
        guard try await store.tenant(id) != nil else { throw Problem.notFound("there is no such tenant") }
        return id
    }

    /// A new account, a member of `tenant` with `role`.
    private func newAccount(
        username: String, displayName: String, password: String, role: Role, tenant: TenantID, _ context: StrikeRequestContext
    ) async throws -> User {
        let account = NewAccount(
            username: username, displayName: displayName, password: password, isOwner: false,
            membership: NewAccount.Membership(tenant: tenant, role: role))
        return try await store.createAccount(
            account, passwordCost: settings.passwordCost, requireNoOwner: false, actor: try context.requireCaller().actor)
    }

    @Sendable func setRole(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let body = try await request.decodeBody(RoleBody.self, context: context)
        try await change(context, role: body.role)
        return Response(status: .noContent)
    }

    @Sendable func remove(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try await change(context, role: nil)
        return Response(status: .noContent)
    }

    /// Another tenant's user is 404 here, whoever they are.
    private func change(_ context: StrikeRequestContext, role: Role?) async throws {
        let userID = try context.parameters.require("id")
        let changed = try await store.changeMembership(
            userID: userID, tenantID: try context.requireTenant().id, role: role, actor: try context.requireCaller().actor)
        guard changed else { throw Problem.notFound("there is no such user in this tenant") }
    }
}
