public import Foundation
public import StrikeRuntime

/// A clock whose sleeps return at once while its `now` moves forward by the time slept.
/// Tests use it so retries and backoffs cost no real time.
public final class ImmediateClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current = ClockOffset(offset: .zero)

    public init() {}

    public var now: ClockOffset { lock.withLock { current } }
    public var minimumResolution: Duration { .zero }

    public func sleep(until deadline: ClockOffset, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        lock.withLock { if current < deadline { current = deadline } }
        await Task.yield()
    }
}

extension ApplianceClock {
    /// The wall clock's dates, with sleeps that return at once: retries and backoffs cost a test no time.
    public static var instantSleeps: ApplianceClock { ApplianceClock(sleeper: ImmediateClock()) { Date() } }
}
