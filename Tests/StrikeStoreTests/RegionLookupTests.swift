import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct RegionLookupTests {
    private static func square(_ west: Double, _ south: Double, _ size: Double) throws -> Region {
        let ring = [(west, south), (west + size, south), (west + size, south + size), (west, south + size), (west, south)]
        return try Region(polygons: [[ring.map { Position(longitude: $0.0, latitude: $0.1) }]])
    }

    private func point(_ lon: Double, _ lat: Double) -> EcoLocation { .point(Position(longitude: lon, latitude: lat)) }

    /// Given: a wide low-priority metro list, a small and a large list at priority 5 that overlap, a high-priority
    /// list, an inactive list covering everything, and a default list.
    private func world() async throws -> TestWorld {
        let world = try await TestWorld.make()
        let lists: [(String, Int, Bool, Bool, Region?)] = [
            ("Metro", 0, true, false, try Self.square(0, 0, 10)),
            ("Large five", 5, true, false, try Self.square(2, 2, 4)),
            ("Small five", 5, true, false, try Self.square(3, 3, 1)),
            ("Priority nine", 9, true, false, try Self.square(7, 7, 2)),
            ("Inactive everything", 99, false, false, try Self.square(-50, -50, 100)),
            ("On-call default", 0, true, true, nil),
        ]
        for (name, priority, active, isDefault, region) in lists {
            _ = try await world.store.createPagerList(
                PagerListDraft(ospTenantID: TestWorld.osp, name: name, priority: priority, active: active, isDefault: isDefault, region: region),
                actor: TestWorld.actor)
        }
        return world
    }

    @Test func priorityWinsOverSize() async throws {
        let world = try await world()
        #expect(try await world.store.pagerList(for: point(8, 8), osp: TestWorld.osp)?.list.name == "Priority nine")
        #expect(try await world.store.pagerList(for: point(1, 1), osp: TestWorld.osp)?.list.name == "Metro")
    }

    @Test func atEqualPriorityTheSmallerAreaWins() async throws {
        let world = try await world()
        #expect(try await world.store.pagerList(for: point(3.5, 3.5), osp: TestWorld.osp)?.list.name == "Small five")
        #expect(try await world.store.pagerList(for: point(2.5, 2.5), osp: TestWorld.osp)?.list.name == "Large five")
    }

    @Test func aLineIsMatchedByTheRegionsItCrosses() async throws {
        let world = try await world()
        // From outside every region into the priority-nine square: only intersection can match it.
        let line = EcoLocation.lineString([Position(longitude: 20, latitude: 8), Position(longitude: 8, latitude: 8)])
        #expect(try await world.store.pagerList(for: line, osp: TestWorld.osp)?.list.name == "Priority nine")
    }

    @Test func outsideEveryRegionTheDefaultListIsChosenElseNothing() async throws {
        let world = try await world()
        let match = try await world.store.pagerList(for: point(60, 60), osp: TestWorld.osp)
        #expect(match?.list.name == "On-call default")
        #expect(match?.reason == .defaultList)

        let bare = try await TestWorld.make()
        _ = try await bare.store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Metro", region: try Self.square(0, 0, 10)), actor: TestWorld.actor)
        #expect(try await bare.store.pagerList(for: point(60, 60), osp: TestWorld.osp) == nil)
    }

    @Test func theLookupUsesTheSpatialIndex() async throws {
        let world = try await world()
        let plan = try await world.store.pagerListLookupPlan(for: point(3.5, 3.5), osp: TestWorld.osp)
        #expect(plan.contains { $0.contains("idx_pager_list_region") && $0.contains("VIRTUAL TABLE") }, "plan: \(plan)")
    }
}
