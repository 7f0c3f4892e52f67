import Foundation
import Synchronization

/// Slows password guessing: after `maxFailures` failed logins for one username within `window`,
/// further attempts are refused until the oldest failure leaves the window.
final class LoginThrottle: Sendable {
    let maxFailures: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(maxFailures: Int = 5, window: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// Seconds to wait before another attempt, or nil when one may be made now.
    func retryAfter(_ username: String, now: Date) -> Int? {
        failures.withLock { failures in
            let recent = (failures[username.lowercased()] ?? []).filter { now.timeIntervalSince($0) < window }
            failures[username.lowercased()] = recent
            guard recent.count >= maxFailures, let oldest = recent.first else { return nil }
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    func recordFailure(_ username: String, now: Date) {
        failures.withLock { $0[username.lowercased(), default: []].append(now) }
    }

    func reset(_ username: String) {
        failures.withLock { _ = $0.removeValue(forKey: username.lowercased()) }
    }
}
