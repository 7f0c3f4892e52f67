import Foundation
import Synchronization

/// Slows password guessing: after `maxFailures` failed logins for one username within `window`,
/// further attempts are refused until the oldest failure leaves the window.
final class LoginThrottle: Sendable {
    let maxFailures: Int
    let window: TimeInterval
    /// Above this many usernames, expired ones are swept, so guessing random names cannot grow memory without end.
    let sweepAbove: Int
    private let failures = Mutex<[String: [Date]]>([:])

    init(maxFailures: Int = 5, window: TimeInterval = 15 * 60, sweepAbove: Int = 10_000) {
        self.maxFailures = maxFailures
        self.window = window
        self.sweepAbove = sweepAbove
    }

    var trackedUsernames: Int { failures.withLock { $0.count } }

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
        failures.withLock { failures in
            failures[username.lowercased(), default: []].append(now)
            if failures.count > sweepAbove {
                failures = failures.filter { _, times in times.contains { now.timeIntervalSince($0) < window } }
            }
        }
    }

    func reset(_ username: String) {
        failures.withLock { _ = $0.removeValue(forKey: username.lowercased()) }
    }
}
