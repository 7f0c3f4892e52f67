import ServiceLifecycle
import StrikeWorkers

/// A worker pass run on a fixed beat until the appliance stops: DESIGN §5's deadline worker (every 5 s) and
/// the Render poller (each instance on its own interval, looked at every 5 s).
struct Periodic: Service {
    let every: Duration
    let clock: any Clock<Duration>
    let pass: @Sendable () async -> Void

    /// Stops at once on graceful shutdown, even in the middle of its wait.
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pass()
                try await clock.sleep(for: every)
            }
        }
    }
}
