import Foundation
import GRDB
@testable import StrikeStore
import StrikeTestSupport
import Testing

/// The Render poller asks for the followed ECOs every five seconds: SQLite answers from the partial index of
/// the followed rows, never by reading every ECO.
@Suite struct FollowedEcosPlanTests {
    @Test func theFollowedEcosAreReadFromTheirPartialIndex() async throws {
        let world = try await TestWorld.make()
        let plan = try await world.store.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + StrikeStore.followedEcosQuery).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX eco_view_followed") }, "plan: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN eco_view") && !$0.contains("INDEX") }, "plan: \(plan)")
    }
}
