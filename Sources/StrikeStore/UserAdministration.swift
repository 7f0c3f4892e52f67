public import Foundation
import GRDB
public import StrikeCore

/// What the appliance's admin does to accounts from the shell (`strike user …`).
extension StrikeStore {
    /// Every user, by username.
    public func users() async throws -> [User] {
        try await writer.read { db in try User.fetchAll(db.cachedStatement(sql: "SELECT * FROM app_user ORDER BY username")) }
    }

    public func user(named username: String) async throws -> User? {
        try await writer.read { db in try User.fetchOne(db.cachedStatement(sql: "SELECT * FROM app_user WHERE username = ?"), arguments: [username]) }
    }

    /// Disables a user: they sign in no more, and in the same transaction their sessions end and the API tokens
    /// they made are revoked, so nothing they opened goes on working. Refused for the last owner who can sign in.
    /// Enabling lets them sign in again; their ended sessions and revoked tokens stay so.
    public func setDisabled(_ disabled: Bool, username: String, actor: ActorID) async throws -> User {
        let at = now()
        return try await write { db in
            guard let before = try User.fetchOne(db.cachedStatement(sql: "SELECT * FROM app_user WHERE username = ?"), arguments: [username]) else {
                throw AccountError(code: .unknownUser, message: "there is no user \(username)")
            }
            guard (before.disabledAt != nil) != disabled else { return before }
            let stamp = ISO8601.string(from: at)
            if disabled {
                let otherOwners = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM app_user WHERE is_owner = 1 AND disabled_at IS NULL AND id != ?"), arguments: [before.id]) ?? 0
                guard !before.isOwner || otherOwners > 0 else {
                    throw AccountError(code: .lastOwner, message: "\(username) is the only owner who can sign in; the appliance would have none")
                }
                try db.cachedStatement(sql: "DELETE FROM user_session WHERE user_id = ?").execute(arguments: [before.id])
                try db.cachedStatement(
                    sql: "UPDATE api_token SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL"
                ).execute(
                    arguments: [stamp, ActorID.user(before.id).rawValue])
            }
            try db.cachedStatement(
                sql: "UPDATE app_user SET disabled_at = ?, updated_at = ? WHERE id = ?"
            ).execute(arguments: [disabled ? stamp : nil, stamp, before.id])
            let after = try Self.user(id: before.id, db)
            try AuditLog.record(
                db, at: at, actor: actor, tenant: nil, entity: "user", entityID: before.id, action: disabled ? "disable" : "enable",
                before: before, after: after)
            return after
        }
    }

    /// Sets a user's password from the shell (it meets `PasswordRules`) and ends all their sessions.
    public func setPassword(_ password: String, username: String, passwordCost: UInt8, actor: ActorID) async throws {
        let problems = PasswordRules.problems(password)
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        guard let user = try await user(named: username) else {
            throw AccountError(code: .unknownUser, message: "there is no user \(username)")
        }
        let hash = await Passwords.hash(password, cost: passwordCost)
        try await changePassword(userID: user.id, passwordHash: hash, keepingSession: nil, actor: actor)
    }
}
