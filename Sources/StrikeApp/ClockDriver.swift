public import Foundation
import StrikeCore
public import StrikeIntegrations
public import StrikeRuntime
import Synchronization

/// Runs a whole appliance on a `ManualClock`, hours in seconds: it moves the clock one step at a time while
/// the appliance works, and before each step waits for the HTTP calls between the appliance's parts (clients
/// to the simulators, simulators to the webhooks) to finish, so the clock never runs ahead of them. The tests
/// play the simulators' scenarios with it; the demo makes its past ECOs with it.
public final class ClockDriver: Sendable {
    public let clock: ManualClock
    /// The transport the appliance's clients talk through, and the one its simulators call back through;
    /// give both to the `Appliance`.
    public let transport: CountingTransport
    public let simulatorTransport: CountingTransport

    public init(clock: ManualClock = ManualClock()) {
        self.clock = clock
        self.transport = CountingTransport()
        self.simulatorTransport = CountingTransport()
    }

    /// The appliance's clock on this one, for its store: `start` plus the time the clock has moved.
    public func applianceClock(from start: Date) -> ApplianceClock { .stepped(clock, from: start) }

    private var inFlight: Int { transport.inFlight + simulatorTransport.inFlight }

    /// Moves the clock `step` at a time until `condition` holds, letting the appliance work a few real
    /// milliseconds after each step; `false` when `limit` of appliance time passed first.
    public func run(
        step: Duration = .milliseconds(100), limit: Duration, until condition: () async throws -> Bool
    ) async throws -> Bool {
        var elapsed = Duration.zero
        while elapsed <= limit {
            if try await condition() { return true }
            let settle = ContinuousClock.now.advanced(by: .milliseconds(50))
            while inFlight > 0, ContinuousClock.now < settle { try await Task.sleep(for: .milliseconds(1)) }
            clock.advance(by: step)
            elapsed += step
            try await Task.sleep(for: .milliseconds(3))
        }
        return false
    }
}

/// An HTTP transport that counts the requests in flight through it.
public final class CountingTransport: HTTPTransport {
    private let base = URLSessionTransport()
    private let count = Atomic<Int>(0)

    public init() {}

    public var inFlight: Int { count.load(ordering: .relaxed) }

    public func send(_ request: OutboundRequest) async throws -> InboundResponse {
        count.add(1, ordering: .relaxed)
        defer { count.subtract(1, ordering: .relaxed) }
        return try await base.send(request)
    }
}
