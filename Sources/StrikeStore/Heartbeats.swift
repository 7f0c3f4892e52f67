public import Foundation
public import StrikeRuntime
import Synchronization

/// When each long-running worker last showed it was making progress. A worker beats on every unit of work
/// (each event handled, each attempt, each pass) and on every idle wake-up, so a busy worker is never taken
/// for a stuck one and a stuck one stops beating. `/readyz` and the systemd watchdog read it.
public final class Heartbeats: Sendable {
    /// One worker's last beat.
    public struct Beat: Sendable, Equatable {
        public let worker: String
        public let at: Date

        /// Whether, at `now`, the worker has gone longer than `limit` without progress.
        public func isStalled(at now: Date, limit: TimeInterval) -> Bool { now.timeIntervalSince(at) > limit }
    }

    private let clock: ApplianceClock
    private let beats = Mutex<[String: Date]>([:])

    public init(clock: ApplianceClock) { self.clock = clock }

    /// Makes `worker` known, as beating now: a worker counts from the moment it starts.
    public func register(_ worker: String) { beat(worker) }

    public func beat(_ worker: String) {
        let at = clock.now()
        beats.withLock { $0[worker] = at }
    }

    /// Every known worker's last beat, in name order.
    public func all() -> [Beat] {
        beats.withLock { beats in beats.map { Beat(worker: $0.key, at: $0.value) } }.sorted { $0.worker < $1.worker }
    }

    /// The workers that have not beaten for longer than `limit`.
    public func stalled(limit: TimeInterval) -> [Beat] {
        let now = clock.now()
        return all().filter { $0.isStalled(at: now, limit: limit) }
    }
}
