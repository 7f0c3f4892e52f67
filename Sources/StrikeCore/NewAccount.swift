import Foundation

/// What a member may do in a tenant; each role includes the ones below it.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case viewer, dispatcher, admin

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A user account as the first-run setup, an owner or the shell asks for it: the appliance's owner, or a
/// member of one tenant with a role.
public struct NewAccount: Sendable {
    public struct Membership: Sendable, Equatable {
        public var tenant: TenantID
        public var role: Role

        public init(tenant: TenantID, role: Role) {
            self.tenant = tenant
            self.role = role
        }
    }

    public var username: String
    public var displayName: String
    public var password: String
    public var isOwner: Bool
    public var membership: Membership?

    public init(username: String, displayName: String, password: String, isOwner: Bool, membership: Membership?) {
        self.username = username
        self.displayName = displayName
        self.password = password
        self.isOwner = isOwner
        self.membership = membership
    }

    /// The account with its display name trimmed, or every rule it breaks: a username of 1 to 64 letters,
    /// digits, `.`, `_`, `-` or `@`; a display name; a password of `PasswordRules.lengths`; and a tenant and
    /// role for anyone but the owner.
    public func validated() throws(DomainError) -> NewAccount {
        var account = self
        account.displayName = displayName.trimmingCharacters(in: .whitespaces)
        var problems = Self.usernameProblems(username) + PasswordRules.problems(password)
        if account.displayName.isEmpty { problems.append(FieldProblem(field: "displayName", message: "is required")) }
        if !isOwner, membership == nil {
            problems.append(FieldProblem(field: "tenant", message: "a user who is not the owner needs a tenant and a role"))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return account
    }

    static func usernameProblems(_ username: String) -> [FieldProblem] {
        let allowed = (1...64).contains(username.count)
            && username.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-@".contains($0)) }
        return allowed ? [] : [FieldProblem(field: "username", message: "must be 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    }
}

/// What a password must be.
public enum PasswordRules {
    public static let lengths = 10...200

    public static func problems(_ password: String, field: String = "password") -> [FieldProblem] {
        lengths.contains(password.count) ? [] : [FieldProblem(field: field, message: "must be \(lengths.lowerBound) to \(lengths.upperBound) characters")]
    }
}
