import Foundation
import StrikeCore
import StrikeRuntime
import StrikeTestSupport
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    struct Flaky: Error, Equatable {
        let attempt: Int
    }

    /// Counts the calls made through a non-escaping operation.
    final class Counter {
        var calls = 0
    }

    static let policy = RetryPolicy(maxAttempts: 4, initialDelay: .seconds(1), maxDelay: .seconds(5))

    @Test(arguments: [(1, Duration.seconds(1)), (2, .seconds(2)), (3, .seconds(4)), (4, .seconds(5)), (10, .seconds(5))])
    func delayDoublesAndCaps(attempt: Int, expected: Duration) {
        #expect(Self.policy.delay(beforeRetry: attempt, jitter: 1) == expected)
    }

    @Test func jitterStaysWithinHalfToFull() {
        #expect(Self.policy.delay(beforeRetry: 2, jitter: 0) == .seconds(1))
        #expect(Self.policy.delay(beforeRetry: 2, jitter: 0.5) == .milliseconds(1500))
        for _ in 0..<50 {
            let delay = Self.policy.delay(beforeRetry: 3)
            #expect(delay >= .seconds(2) && delay <= .seconds(4))
        }
    }

    @Test func otherMultipliers() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(200), maxDelay: .seconds(60), multiplier: 3)
        #expect(policy.delay(beforeRetry: 3, jitter: 1) == .milliseconds(1800))
    }

    @Test func retriesUpToMaxAttemptsThenRethrows() async throws {
        // Given an operation that always fails
        let clock = ImmediateClock()
        let counter = Counter()

        // When it runs under the policy
        await #expect(throws: Flaky(attempt: 4)) {
            try await Self.policy.run(on: .stepped(clock, from: Date())) { () async throws -> Int in
                counter.calls += 1
                throw Flaky(attempt: counter.calls)
            }
        }

        // Then it was tried maxAttempts times, waiting between tries (1s, 2s, 4s, each jittered to half or more)
        #expect(counter.calls == 4)
        let waited = clock.now.offset
        #expect(waited >= .milliseconds(3500) && waited <= .seconds(7))
    }

    @Test func stopsAtTheFirstSuccess() async throws {
        let clock = ImmediateClock()
        let counter = Counter()
        let value = try await Self.policy.run(on: .stepped(clock, from: Date())) { () async throws -> String in
            counter.calls += 1
            if counter.calls < 3 { throw Flaky(attempt: counter.calls) }
            return "ok"
        }
        #expect(value == "ok")
        #expect(counter.calls == 3)
    }

    @Test func doesNotRetryWhatIsNotRetryable() async {
        let clock = ImmediateClock()
        let counter = Counter()
        await #expect(throws: Flaky(attempt: 1)) {
            try await Self.policy.run(on: .stepped(clock, from: Date()), isRetryable: { !($0 is Flaky) }) { () async throws -> Int in
                counter.calls += 1
                throw Flaky(attempt: counter.calls)
            }
        }
        #expect(counter.calls == 1)
        #expect(clock.now.offset == .zero)
    }

    @Test func doesNotRetryCancellation() async {
        let counter = Counter()
        await #expect(throws: CancellationError.self) {
            try await Self.policy.run(on: .instantSleeps) { () async throws -> Int in
                counter.calls += 1
                throw CancellationError()
            }
        }
        #expect(counter.calls == 1)
    }
}
