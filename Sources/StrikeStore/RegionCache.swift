import Foundation
import GRDB
import StrikeCore
import Synchronization

/// One OSP's active regions, read once and held in memory so a lookup is a walk of an R-tree and an exact test
/// in Swift instead of a database read: the same answer as `StrikeStore.pagerList(for:osp:_:)`'s SQL (DESIGN §5).
struct RegionSnapshot: Sendable {
    /// The active lists with a region, best first: priority descending, area ascending, name (as SQLite's
    /// BINARY collation orders it, byte by byte in UTF-8). A lower rank wins.
    let ranked: [PagerList]
    /// Every polygon of those regions, with the rank of the list it belongs to.
    let polygons: [PreparedPolygon]
    let polygonRanks: [Int]
    let tree: BoxTree
    /// The OSP's active default list, chosen when no region matches.
    let defaultList: PagerList?

    static func load(osp: TenantID, _ db: Database) throws -> RegionSnapshot {
        let condition = "WHERE osp_tenant_id = ? AND active = 1 AND region IS NOT NULL"
        let regions = try StoredRegion.fetchAll(db, sql: "SELECT id, AsBinary(region) AS region_wkb FROM pager_list \(condition)", arguments: [osp.rawValue])
        let wkbByList = Dictionary(regions.map { ($0.id, $0.regionWkb) }, uniquingKeysWith: { first, _ in first })
        let lists = try PagerList.fetchAll(db, sql: "SELECT * FROM pager_list \(condition)", arguments: [osp.rawValue])
            .map { list in (list: list, wkb: wkbByList[list.id] ?? Data()) }
            .sorted { Self.ranksBefore($0.list, $1.list) }
        var polygons: [PreparedPolygon] = []
        var polygonRanks: [Int] = []
        for (rank, entry) in lists.enumerated() {
            for polygon in try WellKnownBinary.polygons(entry.wkb) {
                polygons.append(polygon)
                polygonRanks.append(rank)
            }
        }
        let defaultList = try PagerList.fetchOne(db.cachedStatement(sql: "SELECT * FROM pager_list WHERE osp_tenant_id = ? AND active = 1 AND is_default = 1"), arguments: [osp.rawValue])
        return RegionSnapshot(
            ranked: lists.map(\.list), polygons: polygons, polygonRanks: polygonRanks, tree: BoxTree(polygons.map(\.box)),
            defaultList: defaultList)
    }

    /// `ORDER BY priority DESC, area_m2 ASC, name`, where SQLite puts a missing area first.
    static func ranksBefore(_ a: PagerList, _ b: PagerList) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        switch (a.areaSquareMetres, b.areaSquareMetres) {
        case (nil, .some): return true
        case (.some, nil): return false
        case (.some(let x), .some(let y)) where x != y: return x < y
        default: return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
    }

    /// The best list whose region contains the point (`ST_Contains`: inside, not on the boundary) or meets the
    /// line (`ST_Intersects`: the boundary counts); else the default list; else none.
    func match(_ location: EcoLocation) -> PagerListMatch? {
        let vertices = location.positions.map { Vertex(x: $0.longitude, y: $0.latitude) }
        let query = Box(vertices)
        var best = Int.max
        switch location {
        case .point:
            let point = vertices[0]
            tree.search(query) { index in
                let rank = polygonRanks[index]
                if rank < best, polygons[index].locate(point) == .interior { best = rank }
            }
        case .lineString:
            tree.search(query) { index in
                let rank = polygonRanks[index]
                if rank < best, polygons[index].intersects(line: vertices, lineBox: query) { best = rank }
            }
        }
        if best < ranked.count { return PagerListMatch(list: ranked[best], reason: .region) }
        return defaultList.map { PagerListMatch(list: $0, reason: .defaultList) }
    }
}

/// The snapshots of the OSPs looked up so far. Any committed change to `pager_list` (a list created, renamed,
/// re-prioritised, (de)activated, made default, given a region, deleted) drops them all; the next lookup of
/// each OSP reads it again. Used only by a store whose process holds the `WriterLock`: then its own commits are
/// every change there is.
final class RegionCache: Sendable {
    /// Whether this process holds the `WriterLock` on the database at `path`, so no other process writes it
    /// while the lock is held (every writing command takes it first and keeps it until it ends).
    static func isOnlyWriter(of path: String) -> Bool {
        guard let file = FileIdentity(path: path) else { return false }
        return FileLockHolders.pid(of: file) == getpid()
    }

    private struct State {
        /// Counts invalidations: a snapshot read under an older generation may miss a change and is not kept.
        var generation = 0
        var snapshots: [TenantID: RegionSnapshot] = [:]
    }

    private let state = Mutex(State())

    /// The OSP's snapshot if one is current, else the generation a new one must be read under.
    func snapshot(osp: TenantID) -> (snapshot: RegionSnapshot?, generation: Int) {
        state.withLock { ($0.snapshots[osp], $0.generation) }
    }

    /// Keeps a snapshot read in a transaction that began after `generation` was current, unless a change
    /// committed since (its transaction may not have seen it).
    func keep(_ snapshot: RegionSnapshot, osp: TenantID, generation: Int) {
        state.withLock { state in
            if state.generation == generation { state.snapshots[osp] = snapshot }
        }
    }

    func invalidate() {
        state.withLock { state in
            state.generation += 1
            state.snapshots = [:]
        }
    }

    /// Drops the cache after every commit that changed `pager_list`; attach it to the writer for the database's lifetime.
    func observer() -> some TransactionObserver { PagerListChangeObserver(cache: self) }
}

/// Watches the writer for changes to `pager_list`, and invalidates the cache once they are committed (not before:
/// a lookup meanwhile still reads the old lists, which are the committed ones).
private final class PagerListChangeObserver: TransactionObserver, @unchecked Sendable {
    private let cache: RegionCache
    /// Touched only on the writer's queue, where GRDB calls an observer.
    private var changed = false

    init(cache: RegionCache) { self.cache = cache }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { eventKind.tableName == "pager_list" }

    func databaseDidChange(with event: DatabaseEvent) {
        changed = true
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        if changed { cache.invalidate() }
        changed = false
    }

    func databaseDidRollback(_ db: Database) { changed = false }
}

/// A list's region as well-known binary, for the cache to prepare.
private struct StoredRegion: StoredRecord {
    static let databaseTableName = "pager_list"
    let id: PagerListID
    let regionWkb: Data
}

