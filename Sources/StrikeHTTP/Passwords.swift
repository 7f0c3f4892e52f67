import Foundation
import HummingbirdBcrypt
public import StrikeCore

/// Password rules and bcrypt hashing, done off the request's executor because bcrypt is slow on purpose.
public enum Passwords {
    public static let lengths = 10...200

    public static func problems(_ password: String, field: String = "password") -> [FieldProblem] {
        lengths.contains(password.count) ? [] : [FieldProblem(field: field, message: "must be \(lengths.lowerBound) to \(lengths.upperBound) characters")]
    }

    public static func hash(_ password: String, cost: UInt8) async -> String {
        await Task.detached(priority: .userInitiated) { Bcrypt.hash(password, cost: cost) }.value
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        await Task.detached(priority: .userInitiated) { Bcrypt.verify(password, hash: hash) }.value
    }

    /// A username is 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    public static func usernameProblems(_ username: String) -> [FieldProblem] {
        let allowed = (1...64).contains(username.count)
            && username.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-@".contains($0)) }
        return allowed ? [] : [FieldProblem(field: "username", message: "must be 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    }
}
