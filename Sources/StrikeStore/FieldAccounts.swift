import Foundation
import GRDB
public import StrikeCore

/// Whether a tenant's outside service is the real one or the appliance's built-in simulator.
public enum ServiceMode: String, Codable, Sendable, CaseIterable {
    case live
    case simulated
}

/// An OSP's Render instance as shown: the client secret only as set or not.
public struct RenderInstance: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "render_instance"
    public let mode: ServiceMode
    public let baseURL: String?
    public let clientID: String
    public let clientSecretSet: Bool
    public let projectID: String
    public let pollIntervalSeconds: Int
    /// No field change for this long flags an ECO stale.
    public let inactivityHours: Int
    /// How long a completed ECO is still watched for new or reopened tasks before it is closed.
    public let gracePeriodHours: Int
    /// The type of the task made in Render for each ECO.
    public let defaultTaskType: String
    public let updatedAt: String
}

/// What an admin writes for a Render instance; a nil client secret keeps the stored one.
public struct RenderInstanceChange: Sendable {
    public var mode: ServiceMode
    public var baseURL: String?
    public var clientID: String
    public var clientSecret: String?
    public var projectID: String
    public var pollIntervalSeconds: Int
    public var inactivityHours: Int
    public var gracePeriodHours: Int
    public var defaultTaskType: String

    public static let defaultTaskType = "ECO investigation"

    public init(
        mode: ServiceMode, baseURL: String?, clientID: String, clientSecret: String?, projectID: String, pollIntervalSeconds: Int = 60,
        inactivityHours: Int = 24, gracePeriodHours: Int = 24, defaultTaskType: String = Self.defaultTaskType
    ) {
        self.mode = mode
        self.baseURL = baseURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.projectID = projectID
        self.pollIntervalSeconds = pollIntervalSeconds
        self.inactivityHours = inactivityHours
        self.gracePeriodHours = gracePeriodHours
        self.defaultTaskType = defaultTaskType
    }
}

/// A NOC's Twilio account as shown: the auth token only as set or not.
public struct TwilioAccount: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "twilio_account"
    public let mode: ServiceMode
    public let accountSID: String
    public let authTokenSet: Bool
    public let fromNumber: String
    public let updatedAt: String
}

/// What an admin writes for a Twilio account; a nil auth token keeps the stored one.
public struct TwilioAccountChange: Sendable {
    public var mode: ServiceMode
    public var accountSID: String
    public var authToken: String?
    public var fromNumber: String

    public init(mode: ServiceMode, accountSID: String, authToken: String?, fromNumber: String) {
        self.mode = mode
        self.accountSID = accountSID
        self.authToken = authToken
        self.fromNumber = fromNumber
    }
}

extension StrikeStore {
    public func renderInstance(osp: TenantID) async throws -> RenderInstance? {
        try await writer.read { db in try Self.renderInstance(osp, db) }
    }

    /// The client secret, opened with the key file, for the Render client.
    public func renderClientSecret(osp: TenantID) async throws -> String? {
        let sealed = try await writer.read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT client_secret_sealed FROM render_instance WHERE osp_tenant_id = ?"), arguments: [osp.rawValue])
        }
        return try sealed.map { try openSecret($0) }
    }

    /// Creates or replaces an OSP's Render instance; the secret is sealed before it reaches the database.
    public func setRenderInstance(osp: TenantID, _ change: RenderInstanceChange, actor: ActorID) async throws -> RenderInstance {
        var problems = FieldRules.serviceURL(change.baseURL, mode: change.mode, field: "baseURL")
        problems += FieldRules.text(change.clientID, field: "clientID", maximum: 200)
        problems += FieldRules.text(change.projectID, field: "projectID", maximum: 200)
        if let secret = change.clientSecret { problems += FieldRules.text(secret, field: "clientSecret", maximum: 500) }
        problems += FieldRules.text(change.defaultTaskType, field: "defaultTaskType", maximum: 100)
        for (value, range, field) in [
            (change.pollIntervalSeconds, 10...3600, "pollIntervalSeconds"), (change.inactivityHours, 1...720, "inactivityHours"),
            (change.gracePeriodHours, 1...720, "gracePeriodHours"),
        ] where !range.contains(value) {
            problems.append(FieldProblem(field: field, message: "must be \(range.lowerBound) to \(range.upperBound)"))
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let sealed = try change.clientSecret.map { try sealSecret($0) }
        let at = now()
        return try await write { db in
            guard try Self.tenant(osp, db).kind == .osp else { throw StoreError.notAnOSP(osp.rawValue) }
            let before = try Self.renderInstance(osp, db)
            guard before != nil || sealed != nil else {
                throw DomainError.invalid([FieldProblem(field: "clientSecret", message: "is required for a new Render instance")])
            }
            let stamp = ISO8601.string(from: at)
            try db.cachedStatement(
                sql: """
                    INSERT INTO render_instance
                        (osp_tenant_id, mode, base_url, client_id, client_secret_sealed, project_id, poll_interval_seconds,
                         inactivity_hours, grace_period_hours, default_task_type, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(osp_tenant_id) DO UPDATE SET
                        mode = excluded.mode, base_url = excluded.base_url, client_id = excluded.client_id,
                        client_secret_sealed = COALESCE(?, client_secret_sealed), project_id = excluded.project_id,
                        poll_interval_seconds = excluded.poll_interval_seconds, inactivity_hours = excluded.inactivity_hours,
                        grace_period_hours = excluded.grace_period_hours, default_task_type = excluded.default_task_type,
                        updated_at = excluded.updated_at
                    """
            ).execute(
                arguments: [
                    osp.rawValue, change.mode.rawValue, change.baseURL, change.clientID, sealed ?? Data(), change.projectID,
                    change.pollIntervalSeconds, change.inactivityHours, change.gracePeriodHours, change.defaultTaskType,
                    stamp, stamp, sealed,
                ])
            let after = try Self.renderInstance(osp, db)!
            try AuditLog.record(
                db, at: at, actor: actor, tenant: osp, entity: "render_instance", entityID: osp.rawValue,
                action: before == nil ? "create" : "update", before: before, after: after)
            return after
        }
    }

    public func twilioAccount(noc: TenantID) async throws -> TwilioAccount? {
        try await twilioAccountWithToken(noc: noc)?.account
    }

    /// The auth token, opened with the key file, for the Twilio client and webhook signatures.
    public func twilioAuthToken(noc: TenantID) async throws -> String? {
        try await twilioAccountWithToken(noc: noc)?.authToken
    }

    /// The NOC's Twilio account with its auth token opened. Every call and every callback needs both, so they
    /// are kept in memory once read (`TwilioAccounts`), until `setTwilioAccount` changes them.
    public func twilioAccountWithToken(noc: TenantID) async throws -> (account: TwilioAccount, authToken: String)? {
        if let known = twilioAccounts.known(noc) { return known }
        let generation = twilioAccounts.generation
        let found = try await writer.read { db -> (account: TwilioAccount, sealed: Data)? in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT *, 1 AS auth_token_set FROM twilio_account WHERE noc_tenant_id = ?"), arguments: [noc.rawValue]).map {
                (try TwilioAccount(row: $0), try SealedAuthToken(row: $0).authTokenSealed)
            }
        }
        let opened = try found.map { (account: $0.account, authToken: try openSecret($0.sealed)) }
        twilioAccounts.remember(noc, opened, readAt: generation)
        return opened
    }

    /// Creates or replaces a NOC's Twilio account; the auth token is sealed before it reaches the database.
    public func setTwilioAccount(noc: TenantID, _ change: TwilioAccountChange, actor: ActorID) async throws -> TwilioAccount {
        var problems: [FieldProblem] = []
        if !FieldRules.isAccountSID(change.accountSID) {
            problems.append(FieldProblem(field: "accountSID", message: "must be AC followed by 32 hexadecimal digits"))
        }
        if let token = change.authToken { problems += FieldRules.text(token, field: "authToken", maximum: 200) }
        if !PagerContact.isE164(change.fromNumber) {
            problems.append(FieldProblem(field: "fromNumber", message: "must be an E.164 number such as +14155550100"))
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let sealed = try change.authToken.map { try sealSecret($0) }
        let at = now()
        let account = try await write { db in
            guard try Self.tenant(noc, db).kind == .noc else {
                throw DomainError.invalid([FieldProblem(field: "tenant", message: "only a NOC has a Twilio account")])
            }
            let before = try Self.twilioAccount(noc, db)
            guard before != nil || sealed != nil else {
                throw DomainError.invalid([FieldProblem(field: "authToken", message: "is required for a new Twilio account")])
            }
            let stamp = ISO8601.string(from: at)
            try db.cachedStatement(
                sql: """
                    INSERT INTO twilio_account (noc_tenant_id, mode, account_sid, auth_token_sealed, from_number, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(noc_tenant_id) DO UPDATE SET
                        mode = excluded.mode, account_sid = excluded.account_sid,
                        auth_token_sealed = COALESCE(?, auth_token_sealed), from_number = excluded.from_number,
                        updated_at = excluded.updated_at
                    """
            ).execute(
                arguments: [noc.rawValue, change.mode.rawValue, change.accountSID, sealed ?? Data(), change.fromNumber, stamp, stamp, sealed])
            let after = try Self.twilioAccount(noc, db)!
            try AuditLog.record(
                db, at: at, actor: actor, tenant: noc, entity: "twilio_account", entityID: noc.rawValue,
                action: before == nil ? "create" : "update", before: before, after: after)
            return after
        }
        twilioAccounts.forget(noc)
        return account
    }

    private func sealSecret(_ secret: String) throws -> Data {
        guard let secrets else { throw SecretError.noKey }
        return try secrets.seal(secret)
    }

    func openSecret(_ sealed: Data) throws -> String {
        guard let secrets else { throw SecretError.noKey }
        return try secrets.open(sealed)
    }

    static func renderInstance(_ osp: TenantID, _ db: Database) throws -> RenderInstance? {
        try RenderInstance.fetchOne(db.cachedStatement(sql: "SELECT *, 1 AS client_secret_set FROM render_instance WHERE osp_tenant_id = ?"), arguments: [osp.rawValue])
    }

    static func twilioAccount(_ noc: TenantID, _ db: Database) throws -> TwilioAccount? {
        try TwilioAccount.fetchOne(db.cachedStatement(sql: "SELECT *, 1 AS auth_token_set FROM twilio_account WHERE noc_tenant_id = ?"), arguments: [noc.rawValue])
    }
}

/// The sealed auth token read beside a Twilio account.
private struct SealedAuthToken: StoredRecord {
    public static let databaseTableName = "twilio_account"
    let authTokenSealed: Data
}

/// Checks shared by the configuration writes, each returning the problems it finds.
enum FieldRules {
    static func text(_ value: String, field: String, maximum: Int) -> [FieldProblem] {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, value.count <= maximum, trimmed == value else {
            return [FieldProblem(field: field, message: "must be 1 to \(maximum) characters without surrounding spaces")]
        }
        return []
    }

    /// A live service needs an absolute http(s) URL; the simulator needs none.
    static func serviceURL(_ value: String?, mode: ServiceMode, field: String) -> [FieldProblem] {
        guard let value else {
            return mode == .live ? [FieldProblem(field: field, message: "is required in live mode")] : []
        }
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
            url.query == nil, url.fragment == nil
        else {
            return [FieldProblem(field: field, message: "must be an absolute http or https URL without query or fragment")]
        }
        return []
    }

    static func isAccountSID(_ value: String) -> Bool {
        value.count == 34 && value.hasPrefix("AC") && value.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit }
    }
}
