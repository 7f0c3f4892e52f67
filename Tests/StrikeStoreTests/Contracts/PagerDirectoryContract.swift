import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("PagerDirectory contract") struct PagerDirectoryContract {
    static func square(_ west: Double, _ south: Double, _ size: Double) throws -> Region {
        let ring = [(west, south), (west + size, south), (west + size, south + size), (west, south + size), (west, south)]
        return try Region(polygons: [[ring.map { Position(longitude: $0.0, latitude: $0.1) }]])
    }

    private func point(_ lon: Double, _ lat: Double) -> EcoLocation { .point(Position(longitude: lon, latitude: lat)) }

    /// Given: a wide low-priority metro list, a small and a large list at priority 5 that overlap, a high-priority
    /// list, an inactive list covering everything, and a default list.
    static func lists(_ engine: StoreEngine) async throws -> (any PagerDirectory, OpenStore) {
        let open = try await engine.open()
        let lists: [(String, Int, Bool, Bool, Region?)] = [
            ("Metro", 0, true, false, try square(0, 0, 10)),
            ("Large five", 5, true, false, try square(2, 2, 4)),
            ("Small five", 5, true, false, try square(3, 3, 1)),
            ("Priority nine", 9, true, false, try square(7, 7, 2)),
            ("Inactive everything", 99, false, false, try square(-50, -50, 100)),
            ("On-call default", 0, true, true, nil),
        ]
        for (name, priority, active, isDefault, region) in lists {
            _ = try await open.store.createPagerList(
                PagerListDraft(ospTenantID: TestWorld.osp, name: name, priority: priority, active: active, isDefault: isDefault, region: region),
                id: .random(), actor: TestWorld.actor)
        }
        return (open.store, open)
    }

    @Test(arguments: StoreEngine.allCases)
    func priorityWinsOverSize(_ engine: StoreEngine) async throws {
        let (pager, open) = try await Self.lists(engine)
        #expect(try await pager.pagerList(for: point(8, 8), osp: TestWorld.osp)?.list.name == "Priority nine")
        #expect(try await pager.pagerList(for: point(1, 1), osp: TestWorld.osp)?.list.name == "Metro")
        withExtendedLifetime(open) {}
    }

    @Test(arguments: StoreEngine.allCases)
    func atEqualPriorityTheSmallerAreaWins(_ engine: StoreEngine) async throws {
        let (pager, open) = try await Self.lists(engine)
        #expect(try await pager.pagerList(for: point(3.5, 3.5), osp: TestWorld.osp)?.list.name == "Small five")
        #expect(try await pager.pagerList(for: point(2.5, 2.5), osp: TestWorld.osp)?.list.name == "Large five")
        withExtendedLifetime(open) {}
    }

    @Test(arguments: StoreEngine.allCases)
    func aLineIsMatchedByTheRegionsItCrosses(_ engine: StoreEngine) async throws {
        let (pager, open) = try await Self.lists(engine)
        // From outside every region into the priority-nine square: only intersection can match it.
        let line = EcoLocation.lineString([Position(longitude: 20, latitude: 8), Position(longitude: 8, latitude: 8)])
        #expect(try await pager.pagerList(for: line, osp: TestWorld.osp)?.list.name == "Priority nine")
        withExtendedLifetime(open) {}
    }

    @Test(arguments: StoreEngine.allCases)
    func outsideEveryRegionTheDefaultListIsChosenElseNothing(_ engine: StoreEngine) async throws {
        let (pager, open) = try await Self.lists(engine)
        let match = try await pager.pagerList(for: point(60, 60), osp: TestWorld.osp)
        #expect(match?.list.name == "On-call default")
        #expect(match?.reason == .defaultList)

        let bare: any PagerDirectory = try await engine.open().store
        _ = try await bare.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Metro", region: try Self.square(0, 0, 10)), id: .random(), actor: TestWorld.actor)
        #expect(try await bare.pagerList(for: point(60, 60), osp: TestWorld.osp) == nil)
        withExtendedLifetime(open) {}
    }

    @Test(arguments: StoreEngine.allCases)
    func contactsAreKeptInCallingOrderAndABadNumberChangesNothing(_ engine: StoreEngine) async throws {
        let pager: any PagerDirectory = try await engine.open().store
        let list = try await pager.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Nights", isDefault: true, region: nil), id: .random(), actor: TestWorld.actor)
        let contacts = [PagerContact(name: "Ana", phone: "+14155550100"), PagerContact(name: "Bo", phone: "+14155550101")]
        _ = try await pager.setPagerListContacts(list.id, osp: TestWorld.osp, contacts: contacts, actor: TestWorld.actor)
        await #expect(throws: DomainError.self) {
            try await pager.setPagerListContacts(
                list.id, osp: TestWorld.osp, contacts: [PagerContact(name: "Cy", phone: "555-0102")], actor: TestWorld.actor)
        }
        #expect(try await pager.pagerContacts(list.id) == contacts)
        #expect(try await pager.pagerListDetail(list.id, osp: TestWorld.noc) == nil, "another tenant's list is not there")
        let renamed = try await pager.updatePagerList(list.id, osp: TestWorld.osp, PagerListChange(name: "Weekend nights"), actor: TestWorld.actor)
        #expect(renamed?.list.name == "Weekend nights")
        #expect(try await pager.pagerLists(osp: TestWorld.osp).map(\.name) == ["Weekend nights"])
    }
}
