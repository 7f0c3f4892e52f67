import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct ProjectionRebuildTests {
    @Test func aHandAlteredProjectionIsReportedAndARebuildRestoresIt() async throws {
        let world = try await TestWorld.make()
        let id = try #require(try await world.createEco().state.id)
        try await world.store.execute(.recordTaskChange(EcoTaskChanged(taskID: "t1", status: .released, assignee: "crew 4", fingerprint: "a")), on: id, actor: .system("poller"))
        #expect(try await world.store.projectionDifferences().isEmpty)

        try await world.rawSQL("UPDATE eco_view SET description = 'edited by hand'")
        try await world.rawSQL("DELETE FROM eco_task_view")

        let differences = try await world.store.projectionDifferences()
        #expect(differences.contains { $0.contains("eco_view eco_id=\"\(id)\"") && $0.contains("description is \"edited by hand\" but the log gives \"Fiber cut on Main St\"") })
        #expect(differences.contains { $0.contains("eco_task_view") && $0.contains("missing") })

        try await world.store.rebuildProjections()
        #expect(try await world.store.projectionDifferences().isEmpty)
    }
}
