import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("EcoQueries contract") struct EcoQueriesContract {
    private static let nocSees = Visibility(tenantID: TestWorld.noc, kind: .noc)
    private static let ospSees = Visibility(tenantID: TestWorld.osp, kind: .osp)

    private func create(_ store: any AnyStore, _ id: String, _ description: String) async throws {
        guard case .created = try await store.createEco(
            TestWorld.draft(description), actor: TestWorld.actor, ecoID: EcoID(id), idempotency: nil, correlationID: nil)
        else { throw ContractFailure("\(id) was not created") }
    }

    @Test(arguments: StoreEngine.allCases)
    func anEcoIsSeenByItsNocAndItsOspAndNoOneElse(_ engine: StoreEngine) async throws {
        let store = try await engine.open().store
        try await create(store, "eco-1", "Fiber cut on Main St")
        let queries: any EcoQueries = store
        #expect(try await queries.eco(EcoID("eco-1"), visibleTo: Self.nocSees)?.description == "Fiber cut on Main St")
        #expect(try await queries.eco(EcoID("eco-1"), visibleTo: Self.ospSees)?.jobID.hasPrefix("E2-") == true)
        let stranger = try await store.createTenant(kind: .noc, name: "Other NOC", jobPrefix: nil, id: TenantID("other"), actor: .system("test"))
        #expect(try await queries.eco(EcoID("eco-1"), visibleTo: Visibility(tenantID: stranger.id, kind: .noc)) == nil)
        #expect(try await queries.ecos(visibleTo: Visibility(tenantID: stranger.id, kind: .noc), filter: EcoFilter(), cursor: nil, limit: 10).items.isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func theListFiltersAndPagesNewestFirst(_ engine: StoreEngine) async throws {
        let clock = ManualNow()
        let store = try await engine.open(clock: clock).store
        for (n, description) in ["Cut at Blake St", "Drop cable on 20th", "Cut at Larimer St"].enumerated() {
            try await create(store, "eco-\(n)", description)
            clock.advance(seconds: 60)
        }
        _ = try await store.execute(.markTasked(renderTaskID: "T-1"), on: EcoID("eco-2"), actor: TestWorld.actor, expectedVersion: nil)
        let queries: any EcoQueries = store
        var text = EcoFilter()
        text.text = "cut at"
        #expect(try await queries.ecos(visibleTo: Self.nocSees, filter: text, cursor: nil, limit: 10).items.map(\.id.rawValue) == ["eco-2", "eco-0"])
        var wildcard = EcoFilter()
        wildcard.text = "%"
        #expect(try await queries.ecos(visibleTo: Self.nocSees, filter: wildcard, cursor: nil, limit: 10).items.isEmpty, "% is text, not a pattern")
        var status = EcoFilter()
        status.displayStatus = .paging
        let awaiting = try await queries.ecos(visibleTo: Self.nocSees, filter: status, cursor: nil, limit: 10).items.map(\.id.rawValue)
        #expect(awaiting == ["eco-2"])

        let first = try await queries.ecos(visibleTo: Self.nocSees, filter: EcoFilter(), cursor: nil, limit: 2)
        #expect(first.items.map(\.id.rawValue) == ["eco-2", "eco-1"])
        let cursor = try #require(first.nextCursor)
        let second = try await queries.ecos(visibleTo: Self.nocSees, filter: EcoFilter(), cursor: cursor, limit: 2)
        #expect(second.items.map(\.id.rawValue) == ["eco-0"])
        #expect(second.nextCursor == nil)
        await #expect(throws: DomainError.self) {
            try await queries.ecos(visibleTo: Self.nocSees, filter: EcoFilter(), cursor: "not-a-cursor", limit: 2)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func theTimelineAndAPastStateComeFromTheLog(_ engine: StoreEngine) async throws {
        let clock = ManualNow()
        let store = try await engine.open(clock: clock).store
        try await create(store, "eco-1", "Fiber cut on Main St")
        let beforeTasking = clock.date
        clock.advance(seconds: 60)
        _ = try await store.execute(.markTasked(renderTaskID: "T-1"), on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: nil)
        let queries: any EcoQueries = store
        let timeline = try await queries.timeline(of: EcoID("eco-1"))
        #expect(timeline.map(\.type) == ["EcoCreated", "EcoIntegrationStatusChanged"])
        #expect(timeline.map(\.actor) == [TestWorld.actor.rawValue, TestWorld.actor.rawValue])
        let past = try #require(try await queries.eco(EcoID("eco-1"), asOf: beforeTasking))
        #expect(past.version == 1)
        #expect(past.state.integration == .pending)
        #expect(try await queries.eco(EcoID("eco-1"), asOf: beforeTasking.addingTimeInterval(-1)) == nil)
        #expect(try await queries.eco(EcoID("eco-1"), visibleTo: Self.nocSees)?.integration == .tasked)
    }

    @Test(arguments: StoreEngine.allCases)
    func theAttentionListHoldsWhatNeedsAPersonOldestFirstWithWhoAcknowledged(_ engine: StoreEngine) async throws {
        let clock = ManualNow()
        let store = try await engine.open(clock: clock).store
        try await create(store, "eco-1", "Cut at Blake St")
        try await create(store, "eco-2", "Cut at Larimer St")
        let queries: any EcoQueries = store
        #expect(try await queries.attention(visibleTo: Self.nocSees).isEmpty)

        _ = try await store.execute(.failIntegration(.render, reason: "Render answered 500"), on: EcoID("eco-2"), actor: TestWorld.actor, expectedVersion: nil)
        clock.advance(seconds: 60)
        _ = try await store.execute(.markTasked(renderTaskID: "T-1"), on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: nil)
        _ = try await store.execute(.failIntegration(.pager, reason: "nobody accepted"), on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: nil)
        let listed = try await queries.attention(visibleTo: Self.ospSees)
        #expect(listed.map(\.eco.id.rawValue) == ["eco-2", "eco-1"], "oldest first, for the OSP too")
        #expect(listed.first?.causes.map(\.detail) == ["Render answered 500"])

        _ = try await store.execute(.acknowledgeAttention, on: EcoID("eco-1"), actor: ActorID("user:ana"), expectedVersion: nil)
        let acknowledged = try #require(try await queries.attention(of: EcoID("eco-1"), visibleTo: Self.nocSees))
        #expect(acknowledged.isAcknowledged && acknowledged.lastAcknowledgement?.by == "user:ana")
        #expect(try await queries.attention(of: EcoID("eco-1"), visibleTo: Visibility(tenantID: TenantID("other"), kind: .noc)) == nil)

        _ = try await store.execute(.retryIntegration, on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: nil)
        #expect(try await queries.attention(visibleTo: Self.nocSees).map(\.eco.id.rawValue) == ["eco-2"], "its cause is gone")
    }

    @Test(arguments: StoreEngine.allCases)
    func theWatchersCandidatesAreTheOSPsEcosWaitingSinceTheirIntegrationLastMoved(_ engine: StoreEngine) async throws {
        let clock = ManualNow()
        let store = try await engine.open(clock: clock).store
        try await create(store, "eco-1", "Cut at Blake St")
        _ = try await store.execute(.markTasked(renderTaskID: "T-1"), on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: nil)
        let tasked = clock.date
        clock.advance(seconds: 600)
        _ = try await store.execute(.flagStale(quietSince: tasked), on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: nil)
        let queries: any EcoQueries = store
        #expect(try await queries.ecosShowing(.paging, osp: TestWorld.osp, integrationChangedBefore: tasked, without: .pagingOverdue) == [EcoID("eco-1")],
            "measured from the integration's move, not the latest event")
        #expect(try await queries.ecosShowing(.paging, osp: TestWorld.osp, integrationChangedBefore: tasked.addingTimeInterval(-1), without: .pagingOverdue).isEmpty)
        #expect(try await queries.ecosShowing(.dispatched, osp: TestWorld.osp, integrationChangedBefore: clock.date, without: .acceptanceOverdue).isEmpty)
        _ = try await store.execute(.raiseAttention(.pagingOverdue, detail: "still paging", repage: false), on: EcoID("eco-1"), actor: TestWorld.actor, expectedVersion: nil)
        #expect(try await queries.ecosShowing(.paging, osp: TestWorld.osp, integrationChangedBefore: clock.date, without: .pagingOverdue).isEmpty,
            "raised once")
    }
}

struct ContractFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
