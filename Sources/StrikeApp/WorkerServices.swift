import ServiceLifecycle
import StrikeCore
import StrikeRuntime
import StrikeStore
import StrikeWorkers

/// A worker pass run on a fixed beat until the appliance stops: DESIGN §5's deadline worker (every 5 s) and
/// the Render poller (each instance on its own interval, looked at every 5 s).
struct Periodic: Service {
    /// The name it beats under in `heartbeats`.
    let name: String
    let every: Duration
    let clock: ApplianceClock
    let heartbeats: Heartbeats
    let pass: @Sendable () async -> Void

    /// Stops at once on graceful shutdown, even in the middle of its wait. Beats before each pass and on every
    /// retry attempt inside one.
    func run() async throws {
        heartbeats.register(name)
        let (heartbeats, name) = (heartbeats, name)
        try? await cancelWhenGracefulShutdown {
            try await WorkerProgress.$current.withValue(WorkerProgress { heartbeats.beat(name) }) {
                while !Task.isCancelled {
                    heartbeats.beat(name)
                    await pass()
                    try await clock.sleep(for: every)
                }
            }
        }
    }
}
