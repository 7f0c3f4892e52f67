public import Foundation
import GRDB
public import StrikeCore

public struct User: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "app_user"
    public let id: String
    public let username: String
    public let displayName: String
    public let isOwner: Bool
    /// When the user was disabled: they sign in no more, and their sessions and tokens stopped then.
    public let disabledAt: String?
}

/// The columns read beside a user's own: the stored password hash, the role of a membership, a session's.
private struct StoredPassword: StoredRecord {
    public static let databaseTableName = "app_user"
    let passwordHash: String
}

private struct MemberRole: StoredRecord {
    public static let databaseTableName = "membership"
    let role: Role
}

private struct StoredSession: StoredRecord {
    public static let databaseTableName = "user_session"
    let userID: String
    let csrfToken: String
}

/// A user's place in a tenant.
public struct Membership: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "membership"
    public let tenantID: TenantID
    public let tenantName: String
    public let tenantKind: TenantKind
    public let role: Role

    public init(tenantID: TenantID, tenantName: String, tenantKind: TenantKind, role: Role) {
        self.tenantID = tenantID
        self.tenantName = tenantName
        self.tenantKind = tenantKind
        self.role = role
    }
}

/// An API token as listed (never its secret, which only its creator saw once).
public struct APIToken: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "api_token"
    public let id: String
    public let name: String
    public let tenantID: TenantID
    public let tenantName: String
    public let tenantKind: TenantKind
    public let role: Role
    public let createdBy: String
    public let createdAt: String
    public let lastUsedAt: String?
    public let revokedAt: String?

    /// Token rows with their tenant's name and kind.
    static let select = "SELECT api_token.*, tenant.name AS tenant_name, tenant.kind AS tenant_kind FROM api_token JOIN tenant ON tenant.id = api_token.tenant_id"
}

/// Why an account operation was refused.
public struct AccountError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: Sendable { case ownerExists, usernameTaken, unknownUser, lastAdmin, lastOwner, alreadyMember }
    public let code: Code
    public let message: String
    public var description: String { message }
}

extension StrikeStore {
    /// Makes an account once it meets `NewAccount.validated()`, its password hashed with bcrypt at `passwordCost`:
    /// the one way the API, the first-run setup and the shell add a user. A member gets their membership in the
    /// same transaction; `requireNoOwner` makes it the one-time creation of the first owner, atomically.
    public func createAccount(_ account: NewAccount, passwordCost: UInt8, requireNoOwner: Bool = false, actor: ActorID) async throws -> User {
        let account = try account.validated()
        let hash = await Passwords.hash(account.password, cost: passwordCost)
        return try await createUser(
            username: account.username, displayName: account.displayName, passwordHash: hash, isOwner: account.isOwner,
            requireNoOwner: requireNoOwner, membership: account.membership, actor: actor)
    }

    private func createUser(
        username: String, displayName: String, passwordHash: String, isOwner: Bool, requireNoOwner: Bool,
        membership: NewAccount.Membership?, actor: ActorID
    ) async throws -> User {
        let at = now()
        return try await write { db in
            if requireNoOwner, try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM app_user WHERE is_owner = 1)")) == true {
                throw AccountError(code: .ownerExists, message: "an owner already exists")
            }
            return try Self.insertUser(
                username: username, displayName: displayName, passwordHash: passwordHash, isOwner: isOwner, membership: membership,
                at: at, actor: actor, db)
        }
    }

    /// A new user's row, their membership if any, and the audit entries; refused when the username is taken.
    static func insertUser(
        username: String, displayName: String, passwordHash: String, isOwner: Bool, membership: NewAccount.Membership?,
        at: Date, actor: ActorID, _ db: Database
    ) throws -> User {
        let id = UUID.random().uuidString.lowercased()
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM app_user WHERE username = ?)"), arguments: [username]) == true {
            throw AccountError(code: .usernameTaken, message: "the username \(username) is taken")
        }
        let stamp = ISO8601.string(from: at)
        try db.cachedStatement(
            sql: "INSERT INTO app_user (id, username, display_name, password_hash, is_owner, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(
            arguments: [id, username, displayName, passwordHash, isOwner, stamp, stamp])
        let user = try Self.user(id: id, db)
        try AuditLog.record(db, at: at, actor: actor, tenant: nil, entity: "user", entityID: id, action: "create", before: nil as User?, after: user)
        if let membership { try Self.insertMembership(userID: id, tenantID: membership.tenant, role: membership.role, at: at, actor: actor, db) }
        return user
    }

    /// Makes an existing user a member of a tenant; refused when they already are one.
    public func addMember(username: String, tenantID: TenantID, role: Role, actor: ActorID) async throws -> User {
        let at = now()
        return try await write { db in
            guard let user = try User.fetchOne(db.cachedStatement(sql: "SELECT * FROM app_user WHERE username = ?"), arguments: [username]) else {
                throw DomainError.invalid([FieldProblem(field: "username", message: "is no user of this appliance")])
            }
            let member = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM membership WHERE user_id = ? AND tenant_id = ?)"), arguments: [user.id, tenantID.rawValue])
            guard member != true else { throw AccountError(code: .alreadyMember, message: "\(username) is already a member of this tenant") }
            try Self.insertMembership(userID: user.id, tenantID: tenantID, role: role, at: at, actor: actor, db)
            return user
        }
    }

    public func hasOwner() async throws -> Bool {
        try await writer.read { db in try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM app_user WHERE is_owner = 1)")) ?? false }
    }

    /// The user and stored password hash for a username, for checking a login.
    public func credentials(username: String) async throws -> (user: User, passwordHash: String)? {
        try await writer.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM app_user WHERE username = ?"), arguments: [username])
                .map { (try User(row: $0), try StoredPassword(row: $0).passwordHash) }
        }
    }

    public func passwordHash(userID: String) async throws -> String? {
        try await writer.read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT password_hash FROM app_user WHERE id = ?"), arguments: [userID]) }
    }

    /// Replaces a password and ends every other session of the user.
    public func changePassword(userID: String, passwordHash: String, keepingSession sessionHash: String?, actor: ActorID) async throws {
        let at = now()
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE app_user SET password_hash = ?, updated_at = ? WHERE id = ?"
            ).execute(
                arguments: [passwordHash, ISO8601.string(from: at), userID])
            try db.cachedStatement(
                sql: "DELETE FROM user_session WHERE user_id = ? AND id_hash IS NOT ?"
            ).execute(arguments: [userID, sessionHash])
            try AuditLog.record(
                db, at: at, actor: actor, tenant: nil, entity: "user", entityID: userID, action: "change-password",
                before: nil as String?, after: "password changed; other sessions ended")
        }
    }

    public func memberships(userID: String) async throws -> [Membership] {
        try await writer.read { db in try Self.memberships(userID: userID, db) }
    }

    /// The user's tenants and roles, by tenant name.
    static func memberships(userID: String, _ db: Database) throws -> [Membership] {
        try Membership.fetchAll(
            db,
            sql: """
                SELECT m.tenant_id, m.role, t.name AS tenant_name, t.kind AS tenant_kind FROM membership m
                JOIN tenant t ON t.id = m.tenant_id WHERE m.user_id = ? ORDER BY t.name
                """,
            arguments: [userID])
    }

    /// A new membership with its audit entry; both callers know the user is not yet a member.
    private static func insertMembership(userID: String, tenantID: TenantID, role: Role, at: Date, actor: ActorID, _ db: Database) throws {
        _ = try tenant(tenantID, db)
        try db.cachedStatement(
            sql: "INSERT INTO membership (user_id, tenant_id, role, created_at) VALUES (?, ?, ?, ?)"
        ).execute(
            arguments: [userID, tenantID.rawValue, role.rawValue, ISO8601.string(from: at)])
        try AuditLog.record(
            db, at: at, actor: actor, tenant: tenantID, entity: "membership", entityID: "\(userID)/\(tenantID)", action: "set",
            before: nil as String?, after: role.rawValue)
    }

    /// The members of a tenant with their roles, by username.
    public func members(of tenantID: TenantID) async throws -> [(user: User, role: Role)] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT u.*, m.role FROM app_user u JOIN membership m ON m.user_id = u.id WHERE m.tenant_id = ? ORDER BY u.username",
                arguments: [tenantID.rawValue]
            ).map { (try User(row: $0), try MemberRole(row: $0).role) }
        }
    }

    /// Changes a member's role, or removes them (`role` nil). Refuses to leave the tenant without an admin;
    /// returns false when the user is not a member of the tenant.
    public func changeMembership(userID: String, tenantID: TenantID, role: Role?, actor: ActorID) async throws -> Bool {
        let at = now()
        return try await write { db in
            let arguments: StatementArguments = [userID, tenantID.rawValue]
            guard let before = try String.fetchOne(db.cachedStatement(sql: "SELECT role FROM membership WHERE user_id = ? AND tenant_id = ?"), arguments: arguments) else {
                return false
            }
            if let role {
                try db.cachedStatement(sql: "UPDATE membership SET role = ? WHERE user_id = ? AND tenant_id = ?").execute(arguments: [role.rawValue, userID, tenantID.rawValue])
            } else {
                try db.cachedStatement(sql: "DELETE FROM membership WHERE user_id = ? AND tenant_id = ?").execute(arguments: arguments)
            }
            let admins = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM membership WHERE tenant_id = ? AND role = 'admin'"), arguments: [tenantID.rawValue]) ?? 0
            guard before != Role.admin.rawValue || admins > 0 else {
                throw AccountError(code: .lastAdmin, message: "the tenant would be left without an admin")
            }
            try AuditLog.record(
                db, at: at, actor: actor, tenant: tenantID, entity: "membership", entityID: "\(userID)/\(tenantID)", action: role == nil ? "remove" : "set",
                before: before, after: role?.rawValue)
            return true
        }
    }

    static func user(id: String, _ db: Database) throws -> User {
        guard let user = try User.fetchOne(db.cachedStatement(sql: "SELECT * FROM app_user WHERE id = ?"), arguments: [id]) else {
            throw AccountError(code: .unknownUser, message: "there is no user \(id)")
        }
        return user
    }
}

// MARK: - Sessions and API tokens

extension StrikeStore {
    public func createSession(idHash: String, userID: String, csrfToken: String, expiresAt: Date) async throws {
        let at = now()
        try await write { db in
            try db.cachedStatement(
                sql: "INSERT INTO user_session (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"
            ).execute(
                arguments: [idHash, userID, csrfToken, ISO8601.string(from: at), ISO8601.string(from: expiresAt)])
        }
    }

    /// The live session with this id hash: its user, CSRF token and the user's memberships, read together (every
    /// signed-in request asks); nil when unknown or expired.
    public func session(idHash: String) async throws -> (user: User, csrfToken: String, memberships: [Membership])? {
        let now = ISO8601.string(from: self.now())
        return try await writer.read { db in
            guard
                let session = try StoredSession.fetchOne(db.cachedStatement(sql: "SELECT user_id, csrf_token FROM user_session WHERE id_hash = ? AND expires_at > ?"),
                    arguments: [idHash, now])
            else { return nil }
            return (try Self.user(id: session.userID, db), session.csrfToken, try Self.memberships(userID: session.userID, db))
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await write { db in try db.cachedStatement(sql: "DELETE FROM user_session WHERE id_hash = ?").execute(arguments: [idHash]) }
    }

    public func createToken(
        id: String, tokenHash: String, name: String, tenantID: TenantID, role: Role, createdBy: String, actor: ActorID
    ) async throws -> APIToken {
        let at = now()
        return try await write { db in
            try db.cachedStatement(
                sql: "INSERT INTO api_token (id, token_hash, name, tenant_id, role, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            ).execute(
                arguments: [id, tokenHash, name, tenantID.rawValue, role.rawValue, createdBy, ISO8601.string(from: at)])
            let token = try APIToken.fetchOne(db.cachedStatement(sql: "\(APIToken.select) WHERE api_token.id = ?"), arguments: [id])!
            try AuditLog.record(db, at: at, actor: actor, tenant: tenantID, entity: "api_token", entityID: id, action: "create", before: nil as APIToken?, after: token)
            return token
        }
    }

    /// The unrevoked token with this hash, its last use recorded to the minute: the write is made only when the
    /// use recorded is a minute old or more, so an integration calling many times a second does not pay a durable
    /// write (and a WAL sync) for each request, only a read.
    public func useToken(tokenHash: String) async throws -> APIToken? {
        let at = now()
        let query = "\(APIToken.select) WHERE token_hash = ? AND revoked_at IS NULL"
        guard let token = try await writer.read({ db in try APIToken.fetchOne(db.cachedStatement(sql: query), arguments: [tokenHash]) }) else { return nil }
        if let last = token.lastUsedAt.flatMap(ISO8601.date(from:)), at.timeIntervalSince(last) < Self.tokenUseResolution { return token }
        return try await write { db in
            try db.cachedStatement(
                sql: "UPDATE api_token SET last_used_at = ? WHERE token_hash = ? AND revoked_at IS NULL"
            ).execute(
                arguments: [ISO8601.string(from: at), tokenHash])
            guard db.changesCount == 1 else { return nil }
            return try APIToken.fetchOne(db.cachedStatement(sql: query), arguments: [tokenHash])
        }
    }

    /// How finely a token's last use is recorded, in seconds.
    static let tokenUseResolution: TimeInterval = 60

    public func tokens(tenantID: TenantID) async throws -> [APIToken] {
        try await writer.read { db in
            try APIToken.fetchAll(db.cachedStatement(sql: "\(APIToken.select) WHERE tenant_id = ? ORDER BY api_token.created_at"), arguments: [tenantID.rawValue])
        }
    }

    /// Revokes a token of this tenant; false when the tenant has no such token.
    public func revokeToken(id: String, tenantID: TenantID, actor: ActorID) async throws -> Bool {
        let at = now()
        return try await write { db in
            let query = "\(APIToken.select) WHERE api_token.id = ? AND tenant_id = ?"
            guard let before = try APIToken.fetchOne(db.cachedStatement(sql: query), arguments: [id, tenantID.rawValue]) else {
                return false
            }
            try db.cachedStatement(
                sql: "UPDATE api_token SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?"
            ).execute(arguments: [ISO8601.string(from: at), id])
            let after = try APIToken.fetchOne(db.cachedStatement(sql: query), arguments: [id, tenantID.rawValue])
            try AuditLog.record(db, at: at, actor: actor, tenant: tenantID, entity: "api_token", entityID: id, action: "revoke", before: before, after: after)
            return true
        }
    }
}
