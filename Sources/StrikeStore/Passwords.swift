import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password hashing with bcrypt (the rules a password must meet are `PasswordRules`). bcrypt is slow on purpose (about a quarter second of CPU at cost 12), so
/// it runs on NIO's blocking-work thread pool, never on Swift's cooperative pool: there, a few sign-ins at once
/// would hold every cooperative thread (two on a 2-core box) and stall the workers and every request.
public enum Passwords {
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
}
