import Foundation

/// An instant of a `ManualClock`: an offset from the clock's start.
public struct ClockOffset: InstantProtocol {
    public var offset: Duration
    public init(offset: Duration) { self.offset = offset }
    public func advanced(by duration: Duration) -> ClockOffset { ClockOffset(offset: offset + duration) }
    public func duration(to other: ClockOffset) -> Duration { other.offset - offset }
    public static func < (lhs: ClockOffset, rhs: ClockOffset) -> Bool { lhs.offset < rhs.offset }
}

/// A clock that stands still until its driver calls `advance(by:)`, which wakes every sleeper now due: the demo
/// plays its past ECOs on it (hours in seconds, see `ClockDriver`), and tests step time with it.
public final class ManualClock: Clock, @unchecked Sendable {
    private struct Sleeper {
        let id: UUID
        let deadline: ClockOffset
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var current = ClockOffset(offset: .zero)
    private var sleepers: [Sleeper] = []
    private var started = 0

    public init() {}

    public var now: ClockOffset { lock.withLock { current } }
    public var minimumResolution: Duration { .zero }
    /// How many tasks are asleep on this clock.
    public var sleeperCount: Int { lock.withLock { sleepers.count } }
    /// How many sleeps have begun since the clock was made.
    public var sleepsStarted: Int { lock.withLock { started } }

    public func sleep(until deadline: ClockOffset, tolerance: Duration?) async throws {
        let id = UUID()
        lock.withLock { started += 1 }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = lock.withLock { () -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= current { return .success(()) }
                    sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = lock.withLock { () -> Sleeper? in
                guard let index = sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes the sleepers whose deadline has come.
    public func advance(by duration: Duration) {
        let due = lock.withLock { () -> [Sleeper] in
            current = current.advanced(by: duration)
            let due = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
