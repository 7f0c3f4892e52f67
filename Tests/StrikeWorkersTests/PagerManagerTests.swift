import Foundation
import GRDB
import StrikeCore
import StrikeIntegrations
@testable import StrikeStore
import StrikeTestSupport
import StrikeWorkers
import Synchronization
import Testing

@Suite struct PagerManagerTests {
    static let contacts = [
        PagerContact(name: "Ana", phone: "+13035550101"), PagerContact(name: "Ben", phone: "+13035550102"),
    ]
    let world: TestWorld
    let twilio = FakeTwilio()
    let clock = ManualNow()
    let manager: PagerManager
    let runner: ConsumerRunner

    init() async throws {
        world = try await TestWorld.make(clock: .instantSleeps)
        let now = clock
        manager = PagerManager(
            store: world.store, twilio: TwilioClient(transport: twilio, clock: .instantSleeps),
            endpoints: Endpoints(publicBaseURL: nil, localBaseURL: URL(string: "http://127.0.0.1:8080")!), clock: now.clock)
        runner = ConsumerRunner(store: world.store, consumers: [manager])
    }

    private func configure(contacts: [PagerContact] = contacts, mode: ServiceMode = .simulated) async throws {
        _ = try await world.store.setTwilioAccount(
            noc: TestWorld.noc,
            TwilioAccountChange(mode: mode, accountSID: "AC" + String(repeating: "0", count: 32), authToken: "token", fromNumber: "+13035550199"),
            actor: TestWorld.actor)
        let ring = [[-105.1, 39.6], [-104.8, 39.6], [-104.8, 39.9], [-105.1, 39.9], [-105.1, 39.6]].map { Position(longitude: $0[0], latitude: $0[1]) }
        let list = try await world.store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Denver", region: try Region(polygons: [[ring]])), actor: TestWorld.actor)
        _ = try await world.store.setPagerListContacts(list.id, osp: TestWorld.osp, contacts: contacts, actor: TestWorld.actor)
    }

    /// An ECO that Render has tasked, with its pager run started by the manager.
    private func taskedEco() async throws -> (EcoID, PagerRunID?) {
        let id = try #require(try await world.createEco().state.id)
        try await world.store.execute(.markTasked(renderTaskID: "T-1"), on: id, actor: TestWorld.actor)
        try await runner.drain()
        let run = try await world.store.writer.read { db in
            try String.fetchOne(db, sql: "SELECT run_id FROM pager_process WHERE eco_id = ?", arguments: [id.rawValue])
        }
        return (id, run.map { PagerRunID($0) })
    }

    private func eco(_ id: EcoID) async throws -> Eco { try await world.store.load(Eco.self, id: id.rawValue).state }
    private func run(_ id: PagerRunID) async throws -> PagerRun { try await world.store.load(PagerRun.self, id: id.rawValue).state }

    @Test func aTaskedEcoRingsTheFirstContactAndAKeyPressDispatchesIt() async throws {
        try await configure()
        let (ecoID, runID) = try await taskedEco()
        let run = try #require(runID)
        #expect(twilio.calledNumbers == ["+13035550101"])
        let form = try #require(twilio.calls.first)
        #expect(form.first { $0.0 == "StatusCallback" }?.1 == "http://127.0.0.1:8080/twilio/status?run=\(run.rawValue)&attempt=0")
        #expect(form.first { $0.0 == "Twiml" }?.1.contains("Test NOC: ECO 1 - Fiber cut on Main St") == true)

        try await manager.signal(.status(attempt: 0, callStatus: "in-progress"), run: run)
        try await manager.signal(.digits(attempt: 0, digits: "1"), run: run)
        let dispatched = try await eco(ecoID)
        #expect(dispatched.integration == .dispatched)
        #expect(dispatched.acceptedBy == "Ana")
        #expect(try await self.run(run).attempts.map(\.kind) == [.calling, .answered, .accepted])
        #expect(try await self.run(run).outcome == .dispatched)

        try await world.store.writer.write { db in try db.execute(sql: "UPDATE consumer_checkpoint SET position = 0 WHERE consumer = 'pager'") }
        try await runner.drain()
        #expect(twilio.calls.count == 1, "a redelivered TASKED rings nobody again")
    }

    /// A caller may hand over the process it read (a webhook does); if another signal moved the run since,
    /// the write is refused and the signal weighed again on the process as it is now.
    @Test func aSignalGivenAnOutOfDateProcessIsWeighedOnTheCurrentOne() async throws {
        try await configure()
        let (ecoID, runID) = try await taskedEco()
        let run = try #require(runID)
        let before = try #require(try await world.store.pagerProcess(run))
        try await manager.signal(.status(attempt: 0, callStatus: "in-progress"), run: run)
        try await manager.signal(.digits(attempt: 0, digits: "1"), run: run, known: before)
        #expect(try await self.run(run).attempts.map(\.kind) == [.calling, .answered, .accepted])
        #expect(try await eco(ecoID).integration == .dispatched)
    }

    @Test func aWebhookAndTheDeadlineRacingMakeExactlyOneMove() async throws {
        try await configure()
        let run = try #require(try await taskedEco().1)
        clock.advance(seconds: 31)
        async let declined = manager.signal(.digits(attempt: 0, digits: "2"), run: run)
        async let overdue: Void = manager.checkDeadlines()
        _ = try await (declined, overdue)
        #expect(twilio.calledNumbers == ["+13035550101", "+13035550102"], "the second contact is called once")
        let kinds = try await self.run(run).attempts.filter { $0.contactIndex == 0 }.map(\.kind)
        #expect(kinds.filter { $0 == .declined || $0 == .timeout }.count >= 1)
        #expect(try await world.store.pagerProcess(run)?.process.attempt == 1)
    }

    @Test func everyContactDecliningFailsTheEcoWithAReason() async throws {
        try await configure()
        let (ecoID, runID) = try await taskedEco()
        let run = try #require(runID)
        try await manager.signal(.digits(attempt: 0, digits: "2"), run: run)
        try await manager.signal(.digits(attempt: 1, digits: "2"), run: run)
        let failed = try await eco(ecoID)
        #expect(failed.integration == .failed(.pager))
        #expect(failed.integrationReason == "no contact of the list accepted")
        #expect(try await manager.signal(.digits(attempt: 1, digits: "1"), run: run).isEmpty)
        #expect(try await eco(ecoID).integration == .failed(.pager), "a late key press after the end changes nothing")
    }

    @Test func theDeadlineWorkerMovesOnFromAContactWhoNeverAnswers() async throws {
        try await configure()
        let run = try #require(try await taskedEco().1)
        clock.advance(seconds: 20)
        await manager.checkDeadlines()
        #expect(twilio.calls.count == 1)
        clock.advance(seconds: 15)
        await manager.checkDeadlines()
        #expect(twilio.calledNumbers == ["+13035550101", "+13035550102"])
        #expect(twilio.ended == ["CA1:canceled"], "the unanswered call stops ringing")
        #expect(try await self.run(run).attempts.map(\.kind) == [.calling, .timeout, .calling])
    }

    @Test func cancellingTheEcoStopsItsRingingRun() async throws {
        try await configure()
        let (ecoID, runID) = try await taskedEco()
        let run = try #require(runID)
        try await world.store.execute(.cancel(reason: "duplicate of another ECO"), on: ecoID, actor: TestWorld.actor)
        try await runner.drain()
        #expect(try await self.run(run).outcome == .cancelled)
        #expect(try await world.store.livePagerRun(eco: ecoID) == nil)
        clock.advance(seconds: 60)
        await manager.checkDeadlines()
        try await manager.signal(.digits(attempt: 0, digits: "1"), run: run)
        #expect(twilio.calls.count == 1, "nobody else is called")
        #expect(try await eco(ecoID).status == .cancelled)
    }

    @Test func missingSetupFailsThePagerWithTheReason() async throws {
        let (noAccount, _) = try await taskedEco()
        #expect(try await eco(noAccount).integrationReason == "the NOC has no Twilio account set up")

        try await configure(mode: .live)
        let (noBaseURL, _) = try await taskedEco()
        #expect(try await eco(noBaseURL).integrationReason?.hasPrefix("live paging needs the appliance's public base URL") == true)
        #expect(twilio.calls.isEmpty)
    }

    /// The pager handles several ECOs at once: while one ECO's first call hangs at Twilio, the next ECO's
    /// contact is already being rung.
    @Test func aCallThatHangsDoesNotHoldUpTheNextEcosCall() async throws {
        try await configure()
        let held = FirstCallHeld()
        let now = clock
        let manager = PagerManager(
            store: world.store, twilio: TwilioClient(transport: held, clock: .instantSleeps),
            endpoints: Endpoints(publicBaseURL: nil, localBaseURL: URL(string: "http://127.0.0.1:8080")!), clock: now.clock)
        let runner = ConsumerRunner(store: world.store, consumers: [manager])
        for _ in 0..<2 {
            let id = try #require(try await world.createEco().state.id)
            try await world.store.execute(.markTasked(renderTaskID: "T-1"), on: id, actor: TestWorld.actor)
        }
        let draining = Task { try await runner.drain() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while held.placed.calls.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
        #expect(held.placed.calls.count == 1, "the second ECO's call is placed while the first one hangs")
        held.release()
        try await draining.value
        #expect(held.placed.calls.count == 2)
    }
}

/// Twilio that holds the first call it is asked to place until released; the others go through at once.
private final class FirstCallHeld: HTTPTransport {
    let placed = FakeTwilio()
    private let state = Mutex((first: true, released: false))

    func release() { state.withLock { $0.released = true } }

    func send(_ request: OutboundRequest) async throws -> InboundResponse {
        let holds = state.withLock { state in
            defer { state.first = false }
            return state.first
        }
        while holds, !state.withLock({ $0.released }) { try await Task.sleep(for: .milliseconds(2)) }
        return try await placed.send(request)
    }
}
