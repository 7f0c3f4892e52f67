import Foundation
import StrikeCore
import StrikeStore

/// The pager list lookup over many regions: an OSP with `lists` pager lists of five polygons each (10,000
/// polygons at full size), overlapping across lists at varied priorities as a dense metro's would. Measured three
/// ways: in process through `StrikeStore.pagerList(for:osp:)` (the regions held in memory: what the server does
/// per lookup), the same points through the SQL lookup a read-only store still uses (SpatiaLite's R*Tree and
/// GEOS: the lookup before the cache), and over HTTP at `GET /api/regions/lookup` against a `strike serve`
/// child, beside `GET /healthz` as the floor every HTTP answer pays.
struct RegionLookupScenario: BenchScenario {
    let name = "region_lookup"
    let summary = "pager list lookup p50/p99 over 2,000 lists × 5 polygons: in process, in SQL, over HTTP beside the /healthz floor"

    /// Where the lists lie: about 130 km square around Denver.
    private static let west = -105.6, south = 39.3, span = 1.2
    private static let polygonsPerList = 5

    func run(_ context: BenchContext) async throws -> BenchFigures {
        let lists = context.count(tiny: 50, full: 2_000)
        let lookups = context.count(tiny: 300, full: 20_000)
        let sqlLookups = context.count(tiny: 100, full: 2_000)
        let requests = context.count(tiny: 100, full: 5_000)
        var random = SystemRandomNumberGenerator()
        var figures = BenchFigures()
        figures.set("lists", lists)
        figures.set("polygons", lists * Self.polygonsPerList)

        let path = try await BenchSeed.demoDatabase(context, ecos: 0, name: "regions.db")
        let osp = DemoSeed.northOSP
        let points = (0..<lookups).map { _ in Self.position(&random) }
        do {
            // As `serve` does: a store whose process holds the writer lock keeps the regions in memory.
            let lock = try WriterLock(databasePath: path)
            defer { withExtendedLifetime(lock) {} }
            let store = try StrikeStore(path: path)
            let (_, seedMilliseconds) = try await BenchStatistics.timed { try await Self.seed(store, osp: osp, lists: lists, &random) }
            figures.set("seed_s", seedMilliseconds / 1000)

            context.progress("region_lookup: \(lookups) points and \(lookups / 10) lines in process")
            let (_, cold) = try await BenchStatistics.timed { try await store.pagerList(for: .point(points[0]), osp: osp) }
            figures.set("store_first_lookup_ms", cold)
            var pointTimes: [Double] = []
            var cachedAnswers: [PagerListID?] = []
            for point in points {
                let (match, milliseconds) = try await BenchStatistics.timed { try await store.pagerList(for: .point(point), osp: osp) }
                pointTimes.append(milliseconds)
                cachedAnswers.append(match?.reason == .region ? match?.list.id : nil)
            }
            BenchStatistics.latencies(pointTimes, prefix: "store_", into: &figures)
            figures.set("points_in_a_region", Double(cachedAnswers.compactMap { $0 }.count) / Double(points.count))
            var lineTimes: [Double] = []
            for _ in 0..<lookups / 10 {
                let start = Self.position(&random)
                let end = Position(
                    longitude: start.longitude + Double.random(in: -0.05...0.05, using: &random),
                    latitude: start.latitude + Double.random(in: -0.05...0.05, using: &random))
                let line = EcoLocation.lineString([start, end])
                let (_, milliseconds) = try await BenchStatistics.timed { try await store.pagerList(for: line, osp: osp) }
                lineTimes.append(milliseconds)
            }
            BenchStatistics.latencies(lineTimes, prefix: "store_line_", into: &figures)

            context.progress("region_lookup: \(sqlLookups) of the points through the SQL lookup")
            let reader = try StrikeStore(path: path, options: DatabaseOptions(readOnly: true))
            var sqlTimes: [Double] = []
            var disagreements = 0
            for (point, cached) in zip(points.prefix(sqlLookups), cachedAnswers) {
                let (match, milliseconds) = try await BenchStatistics.timed { try await reader.pagerList(for: .point(point), osp: osp) }
                sqlTimes.append(milliseconds)
                if (match?.reason == .region ? match?.list.id : nil) != cached { disagreements += 1 }
            }
            BenchStatistics.latencies(sqlTimes, prefix: "sql_", into: &figures)
            figures.set("sql_disagreements", disagreements)
        }

        context.progress("region_lookup: \(requests) lookups over HTTP, each beside a /healthz and a GET /api/session")
        let server = try await BenchServer.start(context, arguments: ["serve", "--db", path, "--backup-dir", context.file("backups")])
        let supervisor = try await server.signIn("supervisor", "osprey-field-demo")
        // The first lookup after the start reads the regions into memory.
        let first = try await server.request("GET", Self.lookupPath(points[0]), headers: supervisor)
        figures.set("http_first_lookup_ms", first.milliseconds)
        var lookupTimes: [Double] = []
        var floorTimes: [Double] = []
        var signedInTimes: [Double] = []
        for index in 0..<(requests + 50) {
            let lookup = try await server.request("GET", Self.lookupPath(points[index % points.count]), headers: supervisor)
            let floor = try await server.request("GET", "/healthz")
            let signedIn = try await server.request("GET", "/api/session", headers: supervisor)
            for (path, answer) in [("/api/regions/lookup", lookup), ("/healthz", floor), ("/api/session", signedIn)] where answer.status != 200 {
                throw BenchServer.Failure(description: "GET \(path) answered \(answer.status): \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
            }
            // The first fifty warm the connections.
            if index >= 50 {
                lookupTimes.append(lookup.milliseconds)
                floorTimes.append(floor.milliseconds)
                signedInTimes.append(signedIn.milliseconds)
            }
        }
        try await server.stop()
        BenchStatistics.latencies(lookupTimes, prefix: "http_", into: &figures)
        BenchStatistics.latencies(floorTimes, prefix: "http_floor_", into: &figures)
        // What every signed-in request pays before its route runs (the session's cookie checked in the database).
        BenchStatistics.latencies(signedInTimes, prefix: "http_signed_in_floor_", into: &figures)
        figures.set("http_p99_over_floor_ms", BenchStatistics.percentile(lookupTimes, 0.99) - BenchStatistics.percentile(floorTimes, 0.99))
        return figures
    }

    private static func lookupPath(_ point: Position) -> String { "/api/regions/lookup?lon=\(point.longitude)&lat=\(point.latitude)" }

    /// The lists, 64 at a time so group commit batches them: each five disjoint 24-sided polygons in a row a
    /// few kilometres long, at a random place and priority, so that lists overlap one another.
    private static func seed(_ store: StrikeStore, osp: TenantID, lists: Int, _ random: inout SystemRandomNumberGenerator) async throws {
        let actor = ActorID.system("bench-seed")
        for first in stride(from: 0, to: lists, by: 64) {
            var drafts: [PagerListDraft] = []
            for number in first..<min(first + 64, lists) {
                let home = position(&random)
                let polygons = (0..<polygonsPerList).map { part in
                    [ring(longitude: home.longitude + Double(part) * 0.06, latitude: home.latitude, &random)]
                }
                drafts.append(
                    PagerListDraft(
                        ospTenantID: osp, name: "Bench region \(number)", priority: Int.random(in: 0...20, using: &random),
                        region: try Region(polygons: polygons)))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for draft in drafts { group.addTask { _ = try await store.createPagerList(draft, actor: actor) } }
                try await group.waitForAll()
            }
        }
    }

    /// A closed ring of 24 vertices at angles in order round the centre, radius 1 to 2.8 km (under half the
    /// 0.06° between a list's polygons, so they never touch).
    private static func ring(longitude: Double, latitude: Double, _ random: inout SystemRandomNumberGenerator) -> [Position] {
        let count = 24
        var ring = (0..<count).map { index in
            let angle = Double(index) / Double(count) * 2 * .pi
            let radius = Double.random(in: 0.01...0.028, using: &random)
            return Position(longitude: longitude + radius * cos(angle), latitude: latitude + radius * sin(angle))
        }
        ring.append(ring[0])
        return ring
    }

    private static func position(_ random: inout SystemRandomNumberGenerator) -> Position {
        Position(longitude: west + Double.random(in: 0...span, using: &random), latitude: south + Double.random(in: 0...span, using: &random))
    }
}
