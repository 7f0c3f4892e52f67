public import Foundation

/// The appliance's time, one value for both the instant it is and waiting for a later one. In service it is
/// the system's; the demo's history and the tests step a `ManualClock` (or an `ImmediateClock`) instead, and
/// its dates move exactly as far as its sleeps. Every part of the appliance is given this one clock.
public struct ApplianceClock: Sendable {
    /// What sleeps and timeouts are measured on.
    public let sleeper: any Clock<Duration>
    private let reading: @Sendable () -> Date

    public init(sleeper: any Clock<Duration>, now: @escaping @Sendable () -> Date) {
        self.sleeper = sleeper
        self.reading = now
    }

    /// The wall clock and the continuous clock of the machine.
    public static var system: ApplianceClock { ApplianceClock(sleeper: ContinuousClock(), now: { Date() }) }

    /// Instants from `start`, moved as far as `clock` has moved since it was made.
    public static func stepped<C: Clock<Duration>>(_ clock: C, from start: Date) -> ApplianceClock where C.Instant == ClockOffset {
        ApplianceClock(sleeper: clock) {
            let moved = clock.now.offset.components
            return start.addingTimeInterval(Double(moved.seconds) + Double(moved.attoseconds) / 1e18)
        }
    }

    public func now() -> Date { reading() }

    public func sleep(for duration: Duration) async throws { try await sleeper.sleep(for: duration) }
}
