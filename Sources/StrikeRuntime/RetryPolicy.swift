import Foundation

/// Exponential backoff with jitter and a cap: the one way the appliance waits between retries.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    public var multiplier: Double

    public init(maxAttempts: Int, initialDelay: Duration, maxDelay: Duration, multiplier: Double = 2) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
    }

    /// The delay before retry number `attempt` (1 = the first retry), jittered in [delay/2, delay].
    public func delay(beforeRetry attempt: Int, jitter: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let base = Double(initialDelay.components.seconds) + Double(initialDelay.components.attoseconds) / 1e18
        let cap = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) / 1e18
        let full = min(cap, base * pow(multiplier, exponent))
        return .milliseconds(Int64((full / 2 + full / 2 * jitter) * 1000))
    }

    /// Runs `operation` until it succeeds or `maxAttempts` are used; sleeps on `clock` between tries.
    public func run<T>(
        on clock: ApplianceClock, isRetryable: (any Error) -> Bool = { _ in true }, _ operation: () async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            WorkerProgress.report()
            do {
                return try await operation()
            } catch {
                guard attempt < maxAttempts, isRetryable(error), !(error is CancellationError) else { throw error }
                try await clock.sleep(for: delay(beforeRetry: attempt))
                attempt += 1
            }
        }
    }
}
