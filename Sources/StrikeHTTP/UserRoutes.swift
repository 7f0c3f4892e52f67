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

struct RoleBody: RequestBody {
    static let fields: Set<String> = ["role"]
    let role: Role
}

struct MemberView: Encodable {
    let user: User
    let role: Role
}

/// A tenant admin's users: who belongs to the tenant, with which role.
struct UserRoutes {
    let store: StrikeStore
    let settings: APISettings

    func register(_ api: APIRouter) {
        api.add(.get, "/api/users", access: .member(.admin), list)
        api.add(.post, "/api/users", access: .member(.admin), create)
        api.add(.put, "/api/users/{id}/role", access: .member(.admin), setRole)
        api.add(.delete, "/api/users/{id}/membership", access: .member(.admin), remove)
    }

    @Sendable func list(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await store.members(of: try context.requireTenant().id).map { MemberView(user: $0.user, role: $0.role) })
    }

    @Sendable func create(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let body = try await request.decodeBody(NewMemberBody.self, context: context)
        let displayName = body.displayName.trimmingCharacters(in: .whitespaces)
        let problems = Passwords.usernameProblems(body.username) + Passwords.problems(body.password)
            + (displayName.isEmpty ? [FieldProblem(field: "displayName", message: "is required")] : [])
        guard problems.isEmpty else { throw Problem.invalid(problems) }
        let actor = try context.requireCaller().actor
        let hash = await Passwords.hash(body.password, cost: settings.passwordCost)
        let user = try await store.createUser(username: body.username, displayName: displayName, passwordHash: hash, isOwner: false, actor: actor)
        try await store.addMembership(userID: user.id, tenantID: tenant.id, role: body.role, actor: actor)
        return try jsonResponse(MemberView(user: user, role: body.role), status: .created)
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
