import Foundation
import GRDB
@testable import StrikeStore
import StrikeTestSupport
import Testing

/// Every open checks that no event is newer than this build reads: it reads each kind of event by index seeks,
/// never the whole log (which made a start take 60 ms more for every 100,000 events).
@Suite struct EventKindsPlanTests {
    @Test func eachKindOfEventIsFoundByIndexSeeks() async throws {
        let world = try await TestWorld.make()
        let plan = try await world.store.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Migrations.kindAfterQuery, arguments: ["", ""]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.hasPrefix("SEARCH kind USING COVERING INDEX event_by_kind ((stream_type,type)>(?,?))") }, "plan: \(plan)")
        #expect(plan.contains { $0.hasPrefix("SEARCH same USING COVERING INDEX event_by_kind (stream_type=? AND type=?)") }, "plan: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") || $0.contains("TEMP B-TREE") }, "plan: \(plan)")
    }

    @Test func theKindsFoundBySeeksAreThoseOfTheWholeLog() async throws {
        let world = try await TestWorld.make()
        for _ in 1...3 { try await world.createEco() }
        try await world.store.writer.write { db in
            try db.execute(sql: """
                INSERT INTO event (event_id, stream_id, stream_type, version, type, schema_version, payload, actor, occurred_at, recorded_at)
                VALUES ('newer', 'eco-from-the-future', 'eco', 1, 'EcoCreated', 99, '{}', 'system:test', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'),
                       ('other', 'a-run', 'pager_run', 1, 'PagerRunStarted', 1, '{}', 'system:test', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'),
                       ('a-later-kind', 'zz-stream', 'zz_stream', 1, 'ZzHappened', 3, '{}', 'system:test', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z')
                """)
        }
        let (seeks, scan) = try await world.store.writer.read { db in
            (
                try Migrations.storedKinds(db).map { "\($0.streamType) \($0.type) \($0.newest)" },
                try String.fetchAll(db, sql: """
                    SELECT stream_type || ' ' || type || ' ' || MAX(schema_version) FROM event NOT INDEXED
                    GROUP BY stream_type, type ORDER BY stream_type, type
                    """)
            )
        }
        #expect(seeks == scan)
        #expect(seeks.contains("eco EcoCreated 99"))
        #expect(seeks.contains("pager_run PagerRunStarted 1") && seeks.contains("zz_stream ZzHappened 3"), "\(seeks)")
    }
}
