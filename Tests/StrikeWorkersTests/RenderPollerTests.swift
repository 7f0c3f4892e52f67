import Foundation
import StrikeCore
import StrikeIntegrations
import StrikeStore
import StrikeTestSupport
import StrikeWorkers
import Testing

@Suite struct RenderPollerTests {
    let world: TestWorld
    let render = FakeRender()
    let clock = ManualNow()

    init() async throws {
        world = try await TestWorld.make(clock: .instantSleeps)
        _ = try await world.store.setRenderInstance(
            osp: TestWorld.osp, RenderInstanceChange(mode: .simulated, baseURL: nil, clientID: "strike", clientSecret: "s3cret", projectID: "P-1"),
            actor: TestWorld.actor)
    }

    private func poller() -> RenderPoller {
        let now = clock
        return RenderPoller(
            store: world.store, client: RenderClient(transport: render),
            endpoints: Endpoints(publicBaseURL: nil, localBaseURL: URL(string: "http://127.0.0.1:8080")!), clock: now.clock)
    }

    /// An ECO tasked in the fake Render (task `T-1`) and dispatched by the pager.
    private func dispatchedEco() async throws -> EcoID {
        let id = try #require(try await world.createEco().state.id)
        let integration = RenderIntegration(
            store: world.store, client: RenderClient(transport: render),
            endpoints: Endpoints(publicBaseURL: nil, localBaseURL: URL(string: "http://127.0.0.1:8080")!), clock: .instantSleeps)
        try await ConsumerRunner(store: world.store, consumers: [integration]).drain()
        try await world.store.execute(.markDispatched(pagerRunID: .random(), acceptedBy: "Ana"), on: id, actor: TestWorld.actor)
        return id
    }

    private func eco(_ id: EcoID) async throws -> Eco { try await world.store.load(Eco.self, id: id.rawValue).state }

    /// Polls after the instance's interval has passed.
    private func poll(_ poller: RenderPoller, after seconds: Double = 61) async {
        clock.advance(seconds: seconds)
        await poller.pollDue()
    }

    @Test func theFieldWorkIsFollowedThroughACloneAReopeningAndTheGracePeriodToHardComplete() async throws {
        let id = try await dispatchedEco()
        let poller = poller()
        await poll(poller)
        #expect(try await eco(id).status == .open)
        #expect(try await eco(id).tasks["T-1"]?.status == .pending)

        render.set("T-1", .released)
        await poll(poller)
        #expect(try await eco(id).status == .inProgress)

        render.clone("T-1", as: "T-2")
        await poll(poller)
        let cloned = try await world.store.stream(id.rawValue).map(\.type)
        #expect(cloned.filter { $0 == "EcoLateCloneDetected" }.count == 1)

        render.set("T-1", .completed)
        render.set("T-2", .completed)
        await poll(poller)
        let completed = try await eco(id)
        #expect(completed.status == .completed)
        #expect(completed.graceUntil == clock.date.addingTimeInterval(24 * 3600))

        render.set("T-2", .released)
        await poll(poller)
        #expect(try await eco(id).status == .inProgress, "a reopened task during grace brings the work back")

        render.set("T-2", .completed)
        await poll(poller)
        #expect(try await eco(id).status == .completed)
        await poll(poller, after: 24 * 3600)
        #expect(try await eco(id).status == .hardComplete)

        let events = try await world.store.stream(id.rawValue).count
        render.set("T-2", .jeopardy)
        await poll(poller)
        #expect(try await world.store.stream(id.rawValue).count == events, "polling stops for good at HARD_COMPLETE")
    }

    @Test func aRestartedPollerReportsNoOldChangeAgain() async throws {
        let id = try await dispatchedEco()
        render.set("T-1", .allocated)
        await poll(poller())
        let events = try await world.store.stream(id.rawValue).count
        await poll(poller())
        await poll(poller())
        #expect(try await world.store.stream(id.rawValue).count == events)
    }

    /// Most polls find nothing new: those write nothing, so following thousands of ECOs costs no fsync a poll.
    @Test func aPollThatFindsNothingNewWritesNothing() async throws {
        let id = try await dispatchedEco()
        let poller = poller()
        await poll(poller)
        let first = world.store.committed
        await poll(poller)
        await poll(poller)
        #expect(world.store.committed.writes == first.writes)
        render.set("T-1", .released)
        await poll(poller)
        #expect(world.store.committed.writes == first.writes + 1)
        #expect(try await eco(id).status == .inProgress)
    }

    @Test func aLongSilenceFlagsTheEcoStaleOnce() async throws {
        let id = try await dispatchedEco()
        let poller = poller()
        await poll(poller)
        await poll(poller, after: 23 * 3600)
        #expect(try await eco(id).isStale == false)
        await poll(poller, after: 3600)
        #expect(try await eco(id).isStale == true)
        await poll(poller, after: 3600)
        let types = try await world.store.stream(id.rawValue).map(\.type)
        #expect(types.filter { $0 == "EcoStaleDetected" }.count == 1)
    }

    /// Each Render instance has its own polling interval, inactivity limit and grace period.
    @Test func theInstancesOwnIntervalInactivityLimitAndGracePeriodAct() async throws {
        _ = try await world.store.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(
                mode: .simulated, baseURL: nil, clientID: "strike", clientSecret: nil, projectID: "P-1", pollIntervalSeconds: 600,
                inactivityHours: 2, gracePeriodHours: 6),
            actor: TestWorld.actor)
        let id = try await dispatchedEco()
        let poller = poller()
        await poll(poller)
        render.set("T-1", .released)
        await poll(poller, after: 300)
        #expect(try await eco(id).status == .open, "not polled again before its 600 s")
        await poll(poller, after: 300)
        #expect(try await eco(id).status == .inProgress)

        await poll(poller, after: 3600)
        #expect(try await eco(id).isStale == false)
        await poll(poller, after: 3600)
        #expect(try await eco(id).isStale == true, "two quiet hours, not the default 24")

        render.set("T-1", .completed)
        await poll(poller, after: 600)
        #expect(try await eco(id).graceUntil == clock.date.addingTimeInterval(6 * 3600))
    }
}
