import Foundation
import GRDB
import StrikeCore
@testable import StrikeStore
import StrikeTestSupport
import Testing

/// The in-memory region lookup (`RegionCache`) against the SQL lookup it replaces: the same list and reason for
/// every location, and a change to any list seen by the next lookup.
@Suite struct RegionCacheTests {
    /// Random star-shaped polygons (some with holes, several per list, unioned by GEOS into multipolygons) and
    /// rectangles on a 0.25° grid (unions touching at corners and sharing edges), at few priorities so that areas
    /// and names break ties; then points and lines, a part of them on the grid so that many fall exactly on
    /// vertices and edges, where `ST_Contains` and `ST_Intersects` differ.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func theCacheAnswersAsTheSQLLookupOnRandomPointsAndLines(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let world = try await TestWorld.make()
        let (store, lock) = try Self.onlyWriter(world)
        let names = ["Zulu", "alpha", "Éclair", "Ñandú", "eagle", "Echo", "zeta", "Ångström"]
        for index in 0..<70 {
            let name = "\(names[index % names.count]) \(index / names.count)"
            let priority = Int.random(in: 0...2, using: &random)
            let active = index % 13 != 5
            let features = index % 2 == 0 ? try Self.stars(&random) : try Self.rectangles(&random)
            let list = try await store.createPagerList(
                PagerListDraft(ospTenantID: TestWorld.osp, name: name, priority: priority, active: active, region: nil), actor: TestWorld.actor)
            _ = try await store.setPagerListRegion(list.id, osp: TestWorld.osp, features: features, actor: TestWorld.actor)
        }
        _ = try await store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "On call", isDefault: true, region: nil), actor: TestWorld.actor)

        var locations: [EcoLocation] = []
        for _ in 0..<2_000 { locations.append(.point(Self.position(&random, grid: nil))) }
        for _ in 0..<1_500 { locations.append(.point(Self.position(&random, grid: 0.125))) }
        for index in 0..<1_200 {
            let grid = index % 2 == 0 ? 0.125 : nil
            var positions = [Self.position(&random, grid: grid)]
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let last = positions[positions.count - 1]
                let step = grid.map { Double(Int.random(in: -8...8, using: &random)) * $0 } ?? Double.random(in: -1...1, using: &random)
                let other = grid.map { Double(Int.random(in: -8...8, using: &random)) * $0 } ?? Double.random(in: -1...1, using: &random)
                positions.append(Position(longitude: last.longitude + step, latitude: last.latitude + other))
            }
            guard Set(positions).count >= 2 else { continue }
            locations.append(.lineString(positions))
        }

        let queried = locations
        let expected = try await store.writer.read { db in
            try queried.map { try StrikeStore.pagerList(for: $0, osp: TestWorld.osp, db) }
        }
        var mismatches: [String] = []
        for (location, sql) in zip(locations, expected) {
            let cached = try await store.pagerList(for: location, osp: TestWorld.osp)
            if cached != sql {
                mismatches.append("\(location.wkt): SQL \(sql?.list.name ?? "none") (\(sql?.reason.rawValue ?? "-")), cache \(cached?.list.name ?? "none")")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(locations.count) differ, e.g. \(mismatches.prefix(5))")
        let regionMatches = expected.filter { $0?.reason == .region }.count
        #expect(regionMatches > 1_000 && expected.count - regionMatches > 500, "the locations fall both in and out of regions")
        withExtendedLifetime(lock) {}
    }

    @Test func aChangeToAnyListIsSeenByTheNextLookup() async throws {
        let world = try await TestWorld.make()
        let (store, lock) = try Self.onlyWriter(world)
        let here = EcoLocation.point(Position(longitude: 5, latitude: 5))
        func lookup() async throws -> String? {
            let cached = try await store.pagerList(for: here, osp: TestWorld.osp)
            let sql = try await store.writer.read { db in try StrikeStore.pagerList(for: here, osp: TestWorld.osp, db) }
            #expect(cached == sql)
            return cached?.list.name
        }
        func change(_ id: PagerListID, _ change: PagerListChange) async throws {
            _ = try await store.updatePagerList(id, osp: TestWorld.osp, change, actor: TestWorld.actor)
        }
        #expect(try await lookup() == nil)

        let wide = try await store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Wide", priority: 1, region: try PagerDirectoryContract.square(0, 0, 10)),
            actor: TestWorld.actor)
        #expect(try await lookup() == "Wide", "created")
        let narrow = try await store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Narrow", priority: 1, region: try PagerDirectoryContract.square(4, 4, 2)),
            actor: TestWorld.actor)
        #expect(try await lookup() == "Narrow", "created, and smaller at the same priority")
        try await change(narrow.id, PagerListChange(priority: 0))
        #expect(try await lookup() == "Wide", "re-prioritised")
        try await change(wide.id, PagerListChange(active: false))
        #expect(try await lookup() == "Narrow", "deactivated")
        _ = try await store.setPagerListRegion(
            narrow.id, osp: TestWorld.osp, features: [try PagerDirectoryContract.square(20, 20, 1)], actor: TestWorld.actor)
        #expect(try await lookup() == nil, "region moved away")

        let onCall = try await store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "On call", isDefault: true, region: nil), actor: TestWorld.actor)
        #expect(try await lookup() == "On call", "made the default")
        try await change(onCall.id, PagerListChange(name: "Nights"))
        #expect(try await lookup() == "Nights", "renamed")
        try await store.writer.write { db in try db.execute(sql: "DELETE FROM pager_list WHERE name = 'Nights'") }
        #expect(try await lookup() == nil, "deleted")
        try await change(wide.id, PagerListChange(active: true))
        #expect(try await lookup() == "Wide", "reactivated")
        withExtendedLifetime(lock) {}
    }

    /// Two squares of one list meeting at a corner: GEOS keeps them two polygons of a multipolygon, and their
    /// shared corner is on the region's boundary (not contained), while a line touching it meets the region.
    @Test func whereAListsPolygonsTouchIsItsBoundary() async throws {
        let world = try await TestWorld.make()
        let (store, lock) = try Self.onlyWriter(world)
        let list = try await store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Checker", region: nil), actor: TestWorld.actor)
        _ = try await store.setPagerListRegion(
            list.id, osp: TestWorld.osp, features: [try PagerDirectoryContract.square(0, 0, 1), try PagerDirectoryContract.square(1, 1, 1)],
            actor: TestWorld.actor)
        let corner = Position(longitude: 1, latitude: 1)
        let cases: [(EcoLocation, Bool)] = [
            (.point(corner), false),
            (.point(Position(longitude: 0.5, latitude: 0.5)), true),
            (.point(Position(longitude: 1.5, latitude: 0.5)), false),
            (.lineString([Position(longitude: 2, latitude: 0), corner]), true),
            (.lineString([Position(longitude: 2, latitude: 0), Position(longitude: 1.5, latitude: 0.4)]), false),
        ]
        for (location, inRegion) in cases {
            let sql = try await store.writer.read { db in try StrikeStore.pagerList(for: location, osp: TestWorld.osp, db) }
            let cached = try await store.pagerList(for: location, osp: TestWorld.osp)
            #expect(cached == sql, "\(location.wkt)")
            #expect((cached?.reason == .region) == inRegion, "\(location.wkt)")
        }
        withExtendedLifetime(lock) {}
    }

    /// Without the writer lock another process may write the lists (`strike region import` beside a test's
    /// store), so such a store keeps nothing in memory and asks SQLite every time.
    @Test func aStoreWithoutTheWriterLockSeesAnotherWritersChange() async throws {
        let world = try await TestWorld.make()
        #expect(world.store.regions == nil)
        let here = EcoLocation.point(Position(longitude: 5, latitude: 5))
        #expect(try await world.store.pagerList(for: here, osp: TestWorld.osp) == nil)
        let other = try StrikeStore(path: world.databasePath)
        _ = try await other.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Wide", region: try PagerDirectoryContract.square(0, 0, 10)), actor: TestWorld.actor)
        #expect(try await world.store.pagerList(for: here, osp: TestWorld.osp)?.list.name == "Wide")
    }

    /// A store opened as `serve` opens it, after taking the database's writer lock: it keeps the regions in memory.
    private static func onlyWriter(_ world: TestWorld) throws -> (StrikeStore, WriterLock) {
        let lock = try WriterLock(databasePath: world.databasePath)
        let store = try StrikeStore(path: world.databasePath)
        #expect(store.regions != nil)
        return (store, lock)
    }

    @Test func aSnapshotReadBeforeAChangeIsNotKept() async throws {
        let world = try await TestWorld.make()
        let cache = RegionCache()
        let generation = cache.snapshot(osp: TestWorld.osp).generation
        let snapshot = try await world.store.writer.read { db in try RegionSnapshot.load(osp: TestWorld.osp, db) }
        cache.invalidate()
        cache.keep(snapshot, osp: TestWorld.osp, generation: generation)
        #expect(cache.snapshot(osp: TestWorld.osp).snapshot == nil)
        cache.keep(snapshot, osp: TestWorld.osp, generation: cache.snapshot(osp: TestWorld.osp).generation)
        #expect(cache.snapshot(osp: TestWorld.osp).snapshot != nil)
    }

    /// Points a few units in the last place off the line y = x, seen from far along it: rounded arithmetic calls
    /// most of them collinear or puts them on the wrong side.
    @Test func orientationIsExactNearALine() {
        let ulp = 0x1p-53
        for i in 0..<16 {
            for j in 0..<16 {
                let point = Vertex(x: 0.5 + Double(i) * ulp, y: 0.5 + Double(j) * ulp)
                let side = PlanarPredicates.orientation(Vertex(x: 12, y: 12), Vertex(x: 24, y: 24), point)
                #expect(side.rawValue == (j > i ? 1 : j < i ? -1 : 0), "i \(i), j \(j)")
            }
        }
    }

    // MARK: - Random shapes

    /// One to three star-shaped polygons near each other, a third of them with a hole.
    private static func stars(_ random: inout SplitMix64) throws -> [Region] {
        let centre = (Double.random(in: 0...10, using: &random), Double.random(in: 0...10, using: &random))
        return try (0..<Int.random(in: 1...3, using: &random)).map { _ in
            let x = centre.0 + Double.random(in: -1...1, using: &random), y = centre.1 + Double.random(in: -1...1, using: &random)
            var rings = [star(x, y, count: Int.random(in: 5...12, using: &random), radii: 0.6...1.5, &random)]
            if Int.random(in: 0..<3, using: &random) == 0 { rings.append(star(x, y, count: Int.random(in: 5...7, using: &random), radii: 0.05...0.2, &random)) }
            return try Region(polygons: [rings])
        }
    }

    /// A closed ring whose vertices go round (x, y) at increasing angles, each sector under half a turn: simple.
    private static func star(_ x: Double, _ y: Double, count: Int, radii: ClosedRange<Double>, _ random: inout SplitMix64) -> [Position] {
        var ring = (0..<count).map { index in
            let angle = (Double(index) + Double.random(in: 0..<0.8, using: &random)) / Double(count) * 2 * .pi
            let radius = Double.random(in: radii, using: &random)
            return Position(longitude: x + radius * cos(angle), latitude: y + radius * sin(angle))
        }
        ring.append(ring[0])
        return ring
    }

    /// One to four rectangles on the 0.25° grid near each other.
    private static func rectangles(_ random: inout SplitMix64) throws -> [Region] {
        let west = Double(Int.random(in: 0...36, using: &random)) * 0.25, south = Double(Int.random(in: 0...36, using: &random)) * 0.25
        return try (0..<Int.random(in: 1...4, using: &random)).map { _ in
            let x = west + Double(Int.random(in: 0...4, using: &random)) * 0.25, y = south + Double(Int.random(in: 0...4, using: &random)) * 0.25
            let width = Double(Int.random(in: 1...6, using: &random)) * 0.25, height = Double(Int.random(in: 1...6, using: &random)) * 0.25
            let corners = [(x, y), (x + width, y), (x + width, y + height), (x, y + height), (x, y)]
            return try Region(polygons: [[corners.map { Position(longitude: $0.0, latitude: $0.1) }]])
        }
    }

    private static func position(_ random: inout SplitMix64, grid: Double?) -> Position {
        guard let grid else {
            return Position(longitude: Double.random(in: -0.5...11.5, using: &random), latitude: Double.random(in: -0.5...11.5, using: &random))
        }
        let steps = Int(12 / grid)
        return Position(
            longitude: Double(Int.random(in: -2...steps, using: &random)) * grid, latitude: Double(Int.random(in: -2...steps, using: &random)) * grid)
    }
}
