import Foundation
import GRDB
import StrikeCore
@testable import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct EcoStoreTests {
    @Test func creatingAnEcoProjectsItInTheSameTransaction() async throws {
        let world = try await TestWorld.make()
        let result = try await world.createEco("  Fiber cut on Main St  ")
        let id = try #require(result.state.id)

        let fetched = try world.store.writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM eco_view WHERE eco_id = ?", arguments: [id.rawValue]) }
        let row = try #require(fetched)
        #expect(row["job_id"] as String == result.state.jobID.description)
        #expect(row["subsector"] as String == "ECO-" + result.state.jobID.description)
        #expect(row["description"] as String == "Fiber cut on Main St")
        #expect(row["status"] as String == "OPEN")
        #expect(row["integration_status"] as String == "PENDING")
        #expect(row["display_status"] as String == "Pending")
        #expect(row["created_by"] as String == TestWorld.actor.rawValue)
        #expect(row["version"] as Int == 1)
    }

    @Test func projectionsFollowEachCommand() async throws {
        let world = try await TestWorld.make()
        let id = try #require(try await world.createEco().state.id)
        try await world.store.execute(.failIntegration(.render, reason: "no Render instance is configured for this OSP"), on: id, actor: .system("render"))

        let fetched = try world.store.writer.read { db in try Row.fetchOne(db, sql: "SELECT display_status, display_reason, integration_stage FROM eco_view WHERE eco_id = ?", arguments: [id.rawValue]) }
        let row = try #require(fetched)
        #expect(row["display_status"] as String == "Needs escalation")
        #expect(row["display_reason"] as String == "no Render instance is configured for this OSP")
        #expect(row["integration_stage"] as String == "render")
    }

    @Test func jobNumbersAreGapFreePerOSPEvenWhenACreateFails() async throws {
        let world = try await TestWorld.make()
        try await world.createEco("first")
        // A create refused inside the transaction (the OSP id is unknown) gives no number away...
        var bad = TestWorld.draft("refused")
        bad.ospTenantID = TenantID("nobody")
        await #expect(throws: StoreError.self) { try await world.store.createEco(bad, actor: TestWorld.actor) }
        // ...and neither does a concurrent burst.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<10 { group.addTask { try await world.createEco("burst \(n)") } }
            try await group.waitForAll()
        }

        let numbers = try await world.store.writer.read { db in
            try Int.fetchAll(db, sql: "SELECT job_number FROM eco_view ORDER BY job_number")
        }
        #expect(numbers == Array(1...11))
    }

    @Test func anEcoNeedsAnActiveLinkAndSuspensionHidesNothing() async throws {
        let world = try await TestWorld.make()
        let existing = try #require(try await world.createEco().state.id)
        try await world.store.setLink(noc: TestWorld.noc, osp: TestWorld.osp, status: .suspended, actor: TestWorld.actor)

        let error = await #expect(throws: StoreError.self) { try await world.createEco("after suspension") }
        #expect(error?.isLinkNotActive == true)
        #expect(try await world.store.load(Eco.self, id: existing.rawValue).state.exists)
        #expect(try await world.store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eco_view") } == 1)
    }

    @Test func anInvalidDraftIsRefusedWithEveryProblemAndChangesNothing() async throws {
        let world = try await TestWorld.make()
        var draft = TestWorld.draft("   ", location: .lineString([Position(longitude: 1, latitude: 1)]))
        draft.ospTenantID = TestWorld.noc

        let error = await #expect(throws: DomainError.self) { try await world.store.createEco(draft, actor: TestWorld.actor) }
        guard case .invalid(let problems) = error else { Issue.record("expected field problems, got \(String(describing: error))"); return }
        #expect(Set(problems.map(\.field)) == ["location", "description", "ospTenantID"])
        #expect(try await world.store.lastPosition() == 0)
    }

    @Test func anOperatorEditAtAStaleVersionConflicts() async throws {
        let world = try await TestWorld.make()
        let id = try #require(try await world.createEco().state.id)
        try await world.store.execute(.updateDetails(EcoDetailsChange(description: "first edit")), on: id, actor: TestWorld.actor, expectedVersion: 1)

        await #expect(throws: VersionConflict(streamID: id.rawValue, expected: 1, actual: 2)) {
            try await world.store.execute(.updateDetails(EcoDetailsChange(description: "stale edit")), on: id, actor: TestWorld.actor, expectedVersion: 1)
        }
    }

    @Test func configurationChangesAreAudited() async throws {
        let world = try await TestWorld.make()
        try await world.store.setLink(noc: TestWorld.noc, osp: TestWorld.osp, status: .suspended, actor: TestWorld.actor)
        let fetched = try world.store.writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit_log WHERE entity = 'tenant_link' ORDER BY id DESC LIMIT 1") }
        let row = try #require(fetched)
        #expect(row["actor"] as String == TestWorld.actor.rawValue)
        #expect(row["action"] as String == "update")
        #expect((row["before"] as String).contains("active"))
        #expect((row["after"] as String).contains("suspended"))
    }
}
