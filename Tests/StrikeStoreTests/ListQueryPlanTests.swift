import Foundation
import GRDB
import StrikeCore
@testable import StrikeStore
import StrikeTestSupport
import Testing

/// `GET /api/ecos` by index: every filter the API offers, for a NOC and for an OSP, is read along an index or the
/// trigram search table, never by scanning `eco_view`; and the answers, page by page, are those the list gave
/// before it had indexes (the plain `LIKE` query, kept here as the reference).
@Suite struct ListQueryPlanTests {
    static let secondOSP = TenantID("test-osp-2")

    /// Filters one at a time, as the API offers them, plus a cursor and some combinations.
    static func filters(from: Date, before: Date) -> [(name: String, filter: EcoFilter)] {
        func make(_ change: (inout EcoFilter) -> Void) -> EcoFilter {
            var filter = EcoFilter()
            change(&filter)
            return filter
        }
        var filters: [(String, EcoFilter)] = [
            ("none", EcoFilter()),
            ("status", make { $0.status = .cancelled }),
            ("displayStatus", make { $0.displayStatus = .paging }),
            ("jobType", make { $0.jobType = .mfr }),
            ("createdFrom", make { $0.createdFrom = from }),
            ("createdBefore", make { $0.createdBefore = before }),
            ("created range", make { $0.createdFrom = from; $0.createdBefore = before }),
            ("status and jobType", make { $0.status = .open; $0.jobType = .fnol }),
        ]
        for text in texts {
            filters.append(("q=\(text)", make { $0.text = text }))
        }
        filters.append(("q and status", make { $0.text = "pole 1"; $0.status = .open }))
        filters.append(("q and created range", make { $0.text = "squirrel"; $0.createdFrom = from; $0.createdBefore = before }))
        return filters
    }

    /// Common, selective, absent, short, job-id, pattern characters, quotes and non-ASCII letter case.
    static let texts = [
        "squirrel", "SQUIRREL", "pole 1234", "pole 12", "cut 77", "edited", "nowhere to be found", "E2-0", "-2027", "E3-00", "a", "ab", "ü",
        "%", "50%", "_x", "\\", "\"quoted\"", "éclair", "ÉCLAIR", "straße", "STRASSE", "Ünderground", "ünderground", " near ",
    ]

    @Test func everyFilterIsReadAlongAnIndexOrTheSearchTable() async throws {
        let world = try await Self.seededWorld(count: 300)
        let (from, before) = (Date(timeIntervalSince1970: 1_800_000_000 + 3_000), Date(timeIntervalSince1970: 1_800_000_000 + 9_000))
        for visibility in [Visibility(tenantID: TestWorld.noc, kind: .noc), Visibility(tenantID: TestWorld.osp, kind: .osp)] {
            let side = visibility.kind == .noc ? "noc" : "osp"
            for (name, filter) in Self.filters(from: from, before: before) {
                let afters: [(createdAt: String, ecoID: String)?] = [nil, (ISO8601.string(from: from), "m")]
                for after in afters {
                    let list = EcoList(visibility: visibility, filter: filter, after: after, count: 51)
                    let queries: [EcoList.Query] = switch list.textSearch {
                    case .none, .rowByRow: [list.walk()]
                    case .indexed: [list.boundedWalk(), list.searched()]
                    }
                    for query in queries {
                        let plan = try await world.store.writer.read { db in
                            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments).map { $0["detail"] as String }
                        }
                        let context = "\(side) \(name) cursor=\(after != nil):\n\(plan.joined(separator: "\n"))"
                        #expect(!plan.contains { $0.hasPrefix("SCAN eco_view") || $0.hasPrefix("SCAN v") }, "scans eco_view: \(context)")
                        // A combination may be read along the index of any of its filters.
                        var expected: [String] = []
                        if filter.status != nil { expected.append("USING INDEX eco_view_\(side)_status (\(side)_tenant_id=? AND status=?") }
                        if filter.displayStatus != nil {
                            expected.append("USING INDEX eco_view_\(side)_display_status (\(side)_tenant_id=? AND display_status=?")
                        }
                        if filter.jobType != nil { expected.append("USING INDEX eco_view_\(side)_job_type (\(side)_tenant_id=? AND job_type=?") }
                        if expected.isEmpty { expected.append("USING INDEX eco_view_by_\(side) (\(side)_tenant_id=?") }
                        if query.sql.contains("MATCH") { expected = ["SCAN eco_search VIRTUAL TABLE INDEX"] }
                        #expect(plan.contains { line in expected.contains { line.contains($0) } }, "expected one of \(expected): \(context)")
                        if query.sql.contains("MATCH") {
                            #expect(plan.contains { $0.contains("SEARCH v USING INDEX sqlite_autoindex_eco_view_1 (eco_id=?)") }, "\(context)")
                        }
                    }
                }
            }
        }
    }

    @Test func everyPageIsTheOneThePlainQueryGave() async throws {
        let world = try await Self.seededWorld(count: 1_300)
        try await Self.expectSameAnswers(world)
        // A rebuild replays every ECO into eco_view again: the search index follows it, row by row through the
        // triggers, or indexed at once when the replay runs inside `EcoSearch.rebuilding`.
        try await Self.expectIndexInStep(world)
        try await world.store.rebuildProjections()
        #expect(try await world.store.projectionDifferences().isEmpty)
        try await Self.expectSameAnswers(world, pageSizes: [50])
        try await Self.expectIndexInStep(world)
        // By hand: one description edited, one row deleted; the rebuild brings the log's back, index included.
        try await world.rawSQL(
            "UPDATE eco_view SET description = 'hand-edited zebra' WHERE eco_id = (SELECT max(eco_id) FROM eco_view WHERE description LIKE 'squirrel%')")
        try await world.rawSQL("DELETE FROM eco_view WHERE eco_id = (SELECT min(eco_id) FROM eco_view WHERE description LIKE 'squirrel%')")
        try await world.store.writer.write { db in try EcoSearch.rebuilding(db) { try Projections.rebuild(db) { _, _ in } } }
        #expect(try await world.store.projectionDifferences().isEmpty)
        try await Self.expectSameAnswers(world, pageSizes: [50])
        try await Self.expectIndexInStep(world)
        // The triggers are back: an ECO created and one edited after it are found by their new text.
        let created = try #require(try await world.createEco("After the rebuild: splice").state.id)
        var filter = EcoFilter()
        filter.text = "after the REBUILD"
        #expect(try await world.store.ecos(visibleTo: Visibility(tenantID: TestWorld.noc, kind: .noc), filter: filter, cursor: nil, limit: 5).items.map(\.id) == [created])
    }

    @Test func anEditedDescriptionIsFoundByItsNewTextOnly() async throws {
        let world = try await TestWorld.make()
        var ids: [EcoID] = []
        for n in 0..<(EcoSearch.batch + 3) {
            ids.append(try #require(try await world.createEco("Original text \(n) of the cut").state.id))
        }
        let nocSees = Visibility(tenantID: TestWorld.noc, kind: .noc)
        func found(_ text: String) async throws -> [EcoID] {
            var filter = EcoFilter()
            filter.text = text
            return try await world.store.ecos(visibleTo: nocSees, filter: filter, cursor: nil, limit: 200).items.map(\.id)
        }
        // One indexed (the first batch) and one still pending.
        for id in [ids[0], ids.last!] {
            _ = try await world.store.execute(.updateDetails(EcoDetailsChange(description: "Rewritten \(id)")), on: id, actor: TestWorld.actor)
        }
        #expect(try await found("Original text 0 of").isEmpty)
        #expect(try await found("Rewritten \(ids[0])") == [ids[0]])
        #expect(try await found("Rewritten \(ids.last!)") == [ids.last!])
        #expect(try await found("Original text").count == ids.count - 2)
        #expect(try await world.store.projectionDifferences().isEmpty)
    }

    // MARK: - The reference and the seeded set

    /// Every page, followed by its cursors at two page sizes, against the plain query of the whole list.
    private static func expectSameAnswers(_ world: TestWorld, pageSizes: [Int] = [50, 13]) async throws {
        let (from, before) = (Date(timeIntervalSince1970: 1_800_000_000 + 3_000), Date(timeIntervalSince1970: 1_800_000_000 + 9_000))
        let visibilities = [
            Visibility(tenantID: TestWorld.noc, kind: .noc), Visibility(tenantID: TestWorld.osp, kind: .osp),
            Visibility(tenantID: secondOSP, kind: .osp), Visibility(tenantID: TenantID("nobody"), kind: .noc),
        ]
        for visibility in visibilities {
            for (name, filter) in filters(from: from, before: before) {
                let expected = try await world.store.writer.read { db in try plainList(visibility, filter, db) }
                for limit in pageSizes where limit == 50 || (filter.text != nil && visibility.kind == .noc) {
                    var listed: [EcoID] = []
                    var cursor: String?
                    repeat {
                        let page = try await world.store.ecos(visibleTo: visibility, filter: filter, cursor: cursor, limit: limit)
                        #expect(page.items.count <= limit)
                        listed += page.items.map(\.id)
                        cursor = page.nextCursor
                    } while cursor != nil
                    #expect(listed == expected, "\(visibility.tenantID) \(name) limit \(limit)")
                }
            }
        }
    }

    /// The search tables hold exactly the live rows: one key per ECO with its scope, and every ECO not pending
    /// found in the index by its whole job id and description; nothing else is (a stale text is not).
    private static func expectIndexInStep(_ world: TestWorld) async throws {
        let (keys, rows, outOfScope, unfound, stale) = try await world.store.writer.write { db in
            try db.execute(sql: "INSERT INTO eco_search (eco_search, rank) VALUES ('integrity-check', 0)")
            let unfound = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM eco_search_key AS k JOIN eco_view AS v ON v.eco_id = k.eco_id
                WHERE k.search_id NOT IN (SELECT search_id FROM eco_search_pending)
                    AND (k.search_id NOT IN (SELECT rowid FROM eco_search WHERE eco_search MATCH '"' || replace(v.description, '"', '""') || '"')
                        OR k.search_id NOT IN (SELECT rowid FROM eco_search WHERE eco_search MATCH '"' || v.job_id || '"'))
                """)!
            return (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM eco_search_key")!, try Int.fetchOne(db, sql: "SELECT count(*) FROM eco_view")!,
                try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM eco_view AS v WHERE NOT EXISTS (SELECT 1 FROM eco_search_key AS k WHERE k.eco_id = v.eco_id
                        AND k.noc_tenant_id = v.noc_tenant_id AND k.osp_tenant_id = v.osp_tenant_id AND k.created_at = v.created_at)
                    """)!,
                unfound, try Int.fetchOne(db, sql: "SELECT count(*) FROM eco_search WHERE eco_search MATCH '\"zebra\"'")!)
        }
        #expect(keys == rows)
        #expect(outOfScope == 0)
        #expect(unfound == 0)
        #expect(stale == 0)
    }

    /// The list as it was answered before the indexes: every row of the tenant checked, `LIKE` for the text.
    private static func plainList(_ visibility: Visibility, _ filter: EcoFilter, _ db: Database) throws -> [EcoID] {
        var conditions = ["\(visibility.column) = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [visibility.tenantID.rawValue]
        if let status = filter.status { conditions.append("status = ?"); arguments.append(status.rawValue) }
        if let display = filter.displayStatus { conditions.append("display_status = ?"); arguments.append(display.rawValue) }
        if let jobType = filter.jobType { conditions.append("job_type = ?"); arguments.append(jobType.rawValue) }
        if let text = filter.text, !text.isEmpty {
            let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.append("(job_id LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')")
            arguments += [pattern, pattern]
        }
        if let from = filter.createdFrom { conditions.append("created_at >= ?"); arguments.append(ISO8601.string(from: from)) }
        if let before = filter.createdBefore { conditions.append("created_at < ?"); arguments.append(ISO8601.string(from: before)) }
        let sql = "SELECT eco_id FROM eco_view NOT INDEXED WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at DESC, eco_id DESC"
        return try String.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { EcoID($0) }
    }

    /// `count` ECOs through the store's create path, eight at a time at one instant (ties broken by id), the
    /// instants going back and forth; two OSPs, three job types, descriptions common and rare, some edited,
    /// some cancelled, some tasked, some failed; the last few still pending in the search index.
    private static func seededWorld(count: Int) async throws -> TestWorld {
        let now = ManualNow()
        let world = try await TestWorld.make(clock: now.clock)
        _ = try await world.store.createTenant(kind: .osp, name: "Second OSP", jobPrefix: "E3", id: secondOSP, actor: .system("test"))
        try await world.store.setLink(noc: TestWorld.noc, osp: secondOSP, status: .active, actor: .system("test"))
        let words = ["squirrel", "backhoe", "Straße", "ÉCLAIR", "éclair", "storm", "50% loss", "a_x b", "\"quoted\" cut", "back\\slash", "Ünderground"]
        var created: [EcoID] = []
        for first in stride(from: 0, to: count, by: 8) {
            now.advance(seconds: first % 48 == 40 ? -1_500 : 60)
            let drafts = (first..<min(first + 8, count)).map { n in
                EcoDraft(
                    location: .point(Position(longitude: -104.99, latitude: 39.74)), jobType: JobType.allCases[n % 3],
                    description: "\(n % 10 == 0 ? words[n / 10 % words.count] : "squirrel") near pole \(n) cut \(n % 97)",
                    nocTenantID: TestWorld.noc, ospTenantID: n % 4 == 0 ? secondOSP : TestWorld.osp)
            }
            created += try await withThrowingTaskGroup(of: EcoID.self) { group in
                for draft in drafts { group.addTask { try await world.store.createEco(draft, actor: TestWorld.actor).state.id! } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        for (n, id) in created.enumerated() {
            // A move the ECO's state refuses (a cancelled ECO is not tasked) is simply not made.
            if n % 5 == 0 { _ = try? await world.store.execute(.cancel(reason: "duplicate"), on: id, actor: TestWorld.actor) }
            if n % 7 == 1 { _ = try? await world.store.execute(.markTasked(renderTaskID: "T-\(n)"), on: id, actor: TestWorld.actor) }
            if n % 11 == 2 { _ = try? await world.store.execute(.updateDetails(EcoDetailsChange(description: "edited \(n): pole 12 squirrel")), on: id, actor: TestWorld.actor) }
            if n % 13 == 3 { _ = try? await world.store.execute(.failIntegration(.render, reason: "render down"), on: id, actor: TestWorld.actor) }
        }
        return world
    }
}
