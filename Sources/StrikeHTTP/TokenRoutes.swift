import Foundation
import Hummingbird
public import StrikeCore
public import StrikeStore

struct TokenBody: RequestBody {
    static let fields: Set<String> = ["name", "role"]
    let name: String
    let role: Role
}

struct CreatedToken: Encodable {
    let token: APIToken
    /// The secret, shown this once: only its SHA-256 is kept.
    let secret: String
}

/// API tokens for scripts: one tenant and role each, stored hashed, revocable at once.
struct TokenRoutes {
    let store: any TenantDirectory

    func register(_ api: APIRouter) {
        api.add(.get, "/api/tokens", access: .member(.admin), list)
        api.add(.post, "/api/tokens", access: .member(.admin), create)
        api.add(.delete, "/api/tokens/{id}", access: .member(.admin), revoke)
    }

    @Sendable func list(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await store.tokens(tenantID: try context.requireTenant().id))
    }

    @Sendable func create(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let body = try await request.decodeBody(TokenBody.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw Problem.invalid([FieldProblem(field: "name", message: "must be 1 to 100 characters")]) }
        guard body.role <= tenant.role else {
            throw Problem.invalid([FieldProblem(field: "role", message: "cannot exceed your own role, \(tenant.role.rawValue)")])
        }
        let caller = try context.requireCaller()
        let (token, secret) = try await APITokens.issue(store, name: name, tenant: tenant.id, role: body.role, actor: caller.actor)
        return try jsonResponse(CreatedToken(token: token, secret: secret), status: .created)
    }

    @Sendable func revoke(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard try await store.revokeToken(id: id, tenantID: try context.requireTenant().id, actor: try context.requireCaller().actor) else {
            throw Problem.notFound("there is no such API token in this tenant")
        }
        return Response(status: .noContent)
    }
}

/// Makes API tokens: the secret is returned once and only its fingerprint is stored.
public enum APITokens {
    public static func issue(
        _ store: any TenantDirectory, name: String, tenant: TenantID, role: Role, actor: ActorID
    ) async throws -> (token: APIToken, secret: String) {
        let secret = Secrets.random(prefix: "strk_")
        let token = try await store.createToken(
            id: UUID.random().uuidString.lowercased(), tokenHash: Secrets.fingerprint(secret), name: name, tenantID: tenant, role: role,
            createdBy: actor.rawValue, actor: actor)
        return (token, secret)
    }
}
