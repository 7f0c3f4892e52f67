/// How work deep inside a worker (a retry attempt of an outbound call, say) shows the worker is still making
/// progress, without every layer knowing about heartbeats: the worker binds its reporter for the task it runs,
/// and `report()` calls it. Outside a worker it does nothing.
public final class WorkerProgress: Sendable {
    /// The reporter of the worker running the current task, if any.
    @TaskLocal public static var current: WorkerProgress?

    private let beat: @Sendable () -> Void

    public init(beat: @escaping @Sendable () -> Void) { self.beat = beat }

    public static func report() { current?.beat() }
}
