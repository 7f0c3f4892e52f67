import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

/// SQLite only: the region lookup goes through SpatiaLite's R*Tree index (the lookup itself is in
/// `PagerDirectoryContract`).
@Suite struct RegionLookupTests {
    @Test func theLookupUsesTheSpatialIndex() async throws {
        let (_, open) = try await PagerDirectoryContract.lists(.sqlite)
        let store = try #require(open.store as? StrikeStore)
        let plan = try await store.pagerListLookupPlan(for: .point(Position(longitude: 3.5, latitude: 3.5)), osp: TestWorld.osp)
        #expect(plan.contains { $0.contains("idx_pager_list_region") && $0.contains("VIRTUAL TABLE") }, "plan: \(plan)")
    }
}
