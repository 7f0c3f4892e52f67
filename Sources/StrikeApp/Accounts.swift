import Foundation
public import StrikeCore
public import StrikeStore
import StrikeHTTP

/// Account chores done from the command line.
public enum Accounts {
    /// Adds a user (the appliance owner, or a member of one tenant) after checking the name and password.
    public static func addUser(
        _ store: StrikeStore, username: String, displayName: String?, password: String, owner: Bool,
        tenant: TenantID?, role: Role?, passwordCost: UInt8
    ) async throws -> User {
        var problems = Passwords.usernameProblems(username) + Passwords.problems(password)
        if (tenant == nil) != (role == nil) {
            problems.append(FieldProblem(field: "role", message: "--tenant and --role go together"))
        }
        if !owner, tenant == nil {
            problems.append(FieldProblem(field: "tenant", message: "a user who is not the owner needs --tenant and --role"))
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let hash = await Passwords.hash(password, cost: passwordCost)
        let membership = tenant.flatMap { tenant in role.map { (tenant: tenant, role: $0) } }
        return try await store.createUser(
            username: username, displayName: displayName ?? username, passwordHash: hash, isOwner: owner, membership: membership,
            actor: .system("cli"))
    }
}
