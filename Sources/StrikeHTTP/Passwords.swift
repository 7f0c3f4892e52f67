import Foundation
import HummingbirdBcrypt
import NIOPosix
public import StrikeCore

/// Password rules and bcrypt hashing. bcrypt is slow on purpose (about a quarter second of CPU at cost 12), so
/// it runs on NIO's blocking-work thread pool, never on Swift's cooperative pool: there, a few sign-ins at once
/// would hold every cooperative thread (two on a 2-core box) and stall the workers and every request.
public enum Passwords {
    public static let lengths = 10...200

    public static func problems(_ password: String, field: String = "password") -> [FieldProblem] {
        lengths.contains(password.count) ? [] : [FieldProblem(field: field, message: "must be \(lengths.lowerBound) to \(lengths.upperBound) characters")]
    }

    public static func hash(_ password: String, cost: UInt8) async -> String {
        await offThePool { Bcrypt.hash(password, cost: cost) }
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        await offThePool { Bcrypt.verify(password, hash: hash) }
    }

    private static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        // The singleton pool is never shut down while the process runs, so `runIfActive` always runs the work.
        (try? await NIOThreadPool.singleton.runIfActive(work)) ?? work()
    }

    /// A username is 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    public static func usernameProblems(_ username: String) -> [FieldProblem] {
        let allowed = (1...64).contains(username.count)
            && username.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-@".contains($0)) }
        return allowed ? [] : [FieldProblem(field: "username", message: "must be 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    }
}
