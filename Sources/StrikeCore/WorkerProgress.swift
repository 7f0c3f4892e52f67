/// How work deep inside a worker (a retry attempt of an outbound call, say) shows the worker is still making
/// progress, without every layer knowing about heartbeats: the worker binds its beat for the task it runs, and
/// `report()` calls it. Outside a worker it does nothing.
public enum WorkerProgress {
    @TaskLocal public static var beat: (@Sendable () -> Void)?

    public static func report() { beat?() }
}
