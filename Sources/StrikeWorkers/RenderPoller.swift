import Crypto
public import Foundation
import Logging
import StrikeCore
public import StrikeIntegrations
public import StrikeRuntime
public import StrikeStore
import Synchronization

/// DESIGN §5, the Render poller: follows every dispatched ECO in Render until it is hard complete. Each OSP's
/// instance is polled on its own interval; a failing instance backs off exponentially while the others go on,
/// and one ECO's failure never holds up the rest.
public final class RenderPoller: Sendable {
    public struct Settings: Sendable {
        /// How many ECOs are polled at once.
        public var concurrency = 4
        /// The longest an instance in trouble waits before it is tried again.
        public var maxBackoff: TimeInterval = 30 * 60

        public init() {}
    }

    let store: any EventStore & RenderPolls & TenantDirectory & FieldAccounts
    let client: RenderClient
    let endpoints: Endpoints
    let clock: ApplianceClock
    let settings: Settings
    private let schedule = Mutex<[TenantID: (due: Date, failures: Int)]>([:])
    private let logger = Logger(label: "strike.poller")

    public init(
        store: any EventStore & RenderPolls & TenantDirectory & FieldAccounts, client: RenderClient, endpoints: Endpoints, settings: Settings = Settings(),
        clock: ApplianceClock
    ) {
        self.store = store
        self.client = client
        self.endpoints = endpoints
        self.settings = settings
        self.clock = clock
    }

    /// One pass: every followed ECO whose instance is due, a few at a time.
    public func pollDue() async {
        let followed: [(eco: EcoID, osp: TenantID)]
        do {
            followed = try await store.followedEcos()
        } catch {
            logger.error("followed ECOs could not be read", metadata: ["error": "\(error)"])
            return
        }
        let at = clock.now()
        let due = Dictionary(grouping: followed, by: \.osp).filter { osp, _ in schedule.withLock { ($0[osp]?.due ?? .distantPast) <= at } }
        for (osp, ecos) in due {
            let failures = await withTaskGroup(of: Bool.self) { group -> Int in
                var running = 0, failed = 0
                for item in ecos {
                    if running == settings.concurrency, let ok = await group.next() {
                        running -= 1
                        if !ok { failed += 1 }
                    }
                    group.addTask { await self.poll(item.eco, osp: osp) }
                    running += 1
                }
                for await ok in group where !ok { failed += 1 }
                return failed
            }
            await reschedule(osp, from: at, trouble: failures > 0 && failures == ecos.count)
        }
    }

    /// Polls one ECO; false when Render could not be asked.
    func poll(_ ecoID: EcoID, osp: TenantID) async -> Bool {
        do {
            let eco = try await store.load(Eco.self, id: ecoID.rawValue).state
            guard FieldProgress.isFollowed(eco), let (instance, credentials) = try await endpoints.render(osp: osp, in: store) else {
                return true
            }
            let tasks = try await client.tasks(inSubsector: eco.jobID.subsector, on: credentials).map(Self.observed)
            let at = clock.now()
            let lastChange = try await store.lastFieldChange(of: ecoID)
            // The instance's own limits: its grace period and how long a silence makes the ECO stale.
            let commands = FieldProgress.commands(
                for: eco, tasks: tasks, at: at, gracePeriod: Double(instance.gracePeriodHours) * 3600, quietSince: lastChange ?? at,
                staleAfter: Double(instance.inactivityHours) * 3600)
            // A poll that finds nothing new, of an ECO polled before, has nothing to record: no write, no fsync.
            guard !commands.isEmpty || lastChange == nil else { return true }
            try await store.recordPoll(of: ecoID, commands: commands, at: at, actor: .system("render-poller"))
            return true
        } catch {
            logger.warning("poll failed", metadata: ["eco": "\(ecoID)", "error": "\(error)"])
            return false
        }
    }

    /// The instance's next poll, `interval` after this one began (so a slow pass does not push every later one
    /// back), or later while it is in trouble.
    private func reschedule(_ osp: TenantID, from at: Date, trouble: Bool) async {
        let interval = Double((try? await store.renderInstance(osp: osp))?.pollIntervalSeconds ?? 60)
        schedule.withLock { schedule in
            let failures = trouble ? (schedule[osp]?.failures ?? 0) + 1 : 0
            let wait = min(interval * pow(2, Double(failures)), max(interval, settings.maxBackoff))
            schedule[osp] = (at.addingTimeInterval(wait), failures)
        }
    }

    /// The fields that matter to the NOC, hashed: a change in any of them is a task change.
    static func observed(_ task: RenderTask) -> ObservedTask {
        let fields = [task.status.rawValue, task.assignee ?? "", task.taskType, task.description ?? "", task.updatedAt ?? ""]
        let digest = SHA256.hash(data: Data(fields.joined(separator: "\u{1F}").utf8))
        let fingerprint = digest.prefix(12).map { String(format: "%02x", $0) }.joined()
        return ObservedTask(id: task.id, status: task.status, assignee: task.assignee, fingerprint: fingerprint)
    }
}
