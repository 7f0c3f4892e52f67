import Foundation
@testable import StrikeHTTP
import Testing

@Suite struct LoginThrottleTests {
    @Test func aUsernameIsHeldForTheWindowThenFreed() {
        let throttle = LoginThrottle(maxFailures: 3, window: 60)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for second in 0..<3 { throttle.recordFailure("Dana", now: start.addingTimeInterval(Double(second))) }
        #expect(throttle.retryAfter("dana", now: start.addingTimeInterval(10)) == 50)
        #expect(throttle.retryAfter("dana", now: start.addingTimeInterval(61)) == nil)
    }

    @Test func guessingManyUsernamesCannotGrowItWithoutBound() {
        let throttle = LoginThrottle(maxFailures: 3, window: 60, sweepAbove: 100)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for n in 0..<100 { throttle.recordFailure("old-\(n)", now: start) }
        // Two minutes later the old failures have expired; the next names sweep them out.
        for n in 0..<50 { throttle.recordFailure("new-\(n)", now: start.addingTimeInterval(120)) }
        #expect(throttle.trackedUsernames <= 100)
        throttle.recordFailure("new-50", now: start.addingTimeInterval(120))
        #expect(throttle.trackedUsernames == 51)
    }
}
