import Foundation
import GRDB
import StrikeCore
@testable import StrikeStore
import StrikeTestSupport
import Testing

/// The batched replay of `rebuild-projections` and `verify` writes each row once, from state held in memory;
/// these check that it writes exactly the rows the per-event projection leaves, whatever the lifecycle.
@Suite struct ProjectionReplayTests {
    @Test func aReplayWritesTheRowsThePerEventProjectionWrote() async throws {
        let world = try await TestWorld.make()
        try await lifecycles(world, count: 12)
        let live = try await rows(world)
        #expect(live["attention_item"]?.isEmpty == false, "the lifecycles leave something needing attention")
        #expect(live["pager_attempt_view"]?.isEmpty == false)

        #expect(try await world.store.projectionDifferences().isEmpty)
        let summary = try await world.store.rebuildProjections()

        #expect(try await rows(world) == live)
        let (events, streams) = try await world.store.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event")!, try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT stream_id) FROM event")!)
        }
        #expect(summary == ReplaySummary(events: events, streams: streams))
    }

    @Test func streamsLetGoToBoundMemoryArePickedUpAgainWithTheSameRows() async throws {
        let world = try await TestWorld.make()
        try await lifecycles(world, count: 8)
        let live = try await rows(world)

        // One stream held at a time: every change of stream lets the last one go and picks the next one up again.
        let summary = try await world.store.writer.write { db in try Projections.rebuild(db, streamLimit: 1) { _, _ in } }
        #expect(try await rows(world) == live)
        #expect(summary.streams > 8)
        let differences = try await world.store.writer.write { db in try Projections.differences(db, streamLimit: 2) { _, _ in } }
        #expect(differences.isEmpty)
    }

    @Test func aStreamTheProjectionCouldNotHaveWrittenIsRefusedAndNothingChanges() async throws {
        let world = try await TestWorld.make()
        try await lifecycles(world, count: 2)
        let live = try await rows(world)
        try await world.rawSQL(
            """
            INSERT INTO event (event_id, stream_id, stream_type, version, type, schema_version, payload, actor, occurred_at, recorded_at)
            VALUES ('bad-1', 'eco-without-creation', 'eco', 1, 'EcoStatusChanged', 1, '{"from":"OPEN","to":"IN_PROGRESS"}',
                'admin', '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z')
            """)

        await #expect {
            try await world.store.rebuildProjections()
        } throws: { error in
            "\(error)".contains("eco-without-creation") && "\(error)".contains("no EcoCreated before it")
        }
        #expect(try await rows(world) == live, "the rebuild's transaction is rolled back")
    }

    @Test func storedTimesAreKeptAsTheyAreOnlyWhenTheyAreWhatTheStoreWrites() throws {
        #expect(try ProjectionReplay.canonicalTime("2026-02-28T23:59:59.999Z") == "2026-02-28T23:59:59.999Z")
        #expect(try ProjectionReplay.canonicalTime("2024-02-29T00:00:00.000Z") == "2024-02-29T00:00:00.000Z")
        #expect(try ProjectionReplay.canonicalTime("2026-03-01T10:00:00Z") == "2026-03-01T10:00:00.000Z")
        // Not a day the store writes: read the way the live projection reads it (Foundation rolls it over).
        #expect(try ProjectionReplay.canonicalTime("2026-02-29T10:00:00.000Z") == ISO8601.string(from: try #require(ISO8601.date(from: "2026-02-29T10:00:00.000Z"))))
        #expect(throws: CorruptRow.self) { try ProjectionReplay.canonicalTime("yesterday") }
    }

    // MARK: -

    /// Every projection table's rows, in key order, as text.
    private func rows(_ world: TestWorld) async throws -> [String: [String]] {
        try await world.store.writer.read { db in
            var tables: [String: [String]] = [:]
            for table in Projections.tables {
                tables[table.name] = try Row.fetchAll(db, sql: "SELECT * FROM \(table.name) ORDER BY \(table.key.joined(separator: ", "))")
                    .map(\.description)
            }
            return tables
        }
    }

    /// `count` ECOs at once, each through a different lifecycle of the store's own commands: paged and accepted
    /// or escalated, tasks moving, attention raised and acknowledged, details edited, reopened, stale, cancelled.
    private func lifecycles(_ world: TestWorld, count: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 0..<count {
                group.addTask { try await lifecycle(world.store, number) }
            }
            try await group.waitForAll()
        }
    }

    private func lifecycle(_ store: StrikeStore, _ number: Int) async throws {
        let actor = ActorID.system("replay-test")
        let id = try #require(try await store.createEco(TestWorld.draft("Cut \(number)"), actor: actor).state.id)
        let variant = number % 6
        try await store.execute(.markTasked(renderTaskID: "T-\(number)"), on: id, actor: actor)
        if variant == 5 {
            try await store.execute(.raiseAttention(.pagingOverdue, detail: "nobody answered", repage: false), on: id, actor: actor)
            try await store.execute(.acknowledgeAttention, on: id, actor: .user("dispatcher"))
            try await store.execute(.failIntegration(.pager, reason: "every contact declined"), on: id, actor: actor)
            // The first such ECO is left needing escalation; later ones are cancelled.
            if number >= 6 { try await store.execute(.cancel(reason: "a duplicate of another ECO"), on: id, actor: .user("dispatcher")) }
            return
        }
        try await page(store, id, number)
        if variant == 1 {
            try await store.execute(.raiseAttention(.acceptanceOverdue, detail: "no task moved", repage: false), on: id, actor: actor)
            try await store.execute(.acknowledgeAttention, on: id, actor: .user("supervisor"))
            if number < 6 { return }
        }
        for (step, status) in [RenderTaskStatus.allocated, .released, .completed].enumerated() {
            let task = EcoTaskChanged(taskID: "T-\(number)", status: status, assignee: "crew \(number % 3)", fingerprint: "f\(step)")
            try await store.execute(.recordTaskChange(task), on: id, actor: actor)
        }
        try await store.execute(.startWork, on: id, actor: actor)
        if variant == 2 { try await store.execute(.updateDetails(EcoDetailsChange(description: "Cut \(number), two cables")), on: id, actor: actor) }
        if variant == 4 {
            // Left in progress, stale: on the attention list.
            try await store.execute(.flagStale(quietSince: Date().addingTimeInterval(-7200)), on: id, actor: actor)
            return
        }
        try await store.execute(.completeWork, on: id, actor: actor)
        if variant == 3 {
            try await store.execute(.reopenWork(reason: "the splice failed"), on: id, actor: .user("supervisor"))
            try await store.execute(.completeWork, on: id, actor: actor)
        }
        try await store.execute(.startGracePeriod(until: Date().addingTimeInterval(3600)), on: id, actor: actor)
        try await store.execute(.hardComplete, on: id, actor: actor)
    }

    /// A pager run that rings the first contact, hears no answer, and is accepted by the second.
    private func page(_ store: StrikeStore, _ id: EcoID, _ number: Int) async throws {
        let contacts = [
            PagerContact(name: "Ana \(number)", phone: "+1415555\(String(format: "%04d", number * 2))"),
            PagerContact(name: "Bo \(number)", phone: "+1415555\(String(format: "%04d", number * 2 + 1))"),
        ]
        let now = Date()
        var (process, steps) = try PagerProcess.start(
            runID: PagerRunID("run-\(number)"), ecoID: id, list: (PagerListID("list-1"), "Nights"), contacts: contacts,
            message: "Cut \(number)", rounds: 1, contactTimeoutSeconds: 30, at: now)
        try await store.startPagerRun(process, steps: steps, noc: TestWorld.noc, actor: .system("pager"), checkpoint: nil)
        let signals: [PagerSignal] = [
            .placed(attempt: 0, callSid: "CA\(number)a"), .status(attempt: 0, callStatus: "no-answer"),
            .placed(attempt: 1, callSid: "CA\(number)b"), .digits(attempt: 1, digits: "1"),
        ]
        for signal in signals {
            let before = process.version
            (process, steps) = process.handle(signal, at: now)
            let accepted = process.isFinished ? contacts[1].name : nil
            try await store.advancePagerRun(process, from: before, steps: steps, acceptedBy: accepted, actor: .system("pager"))
        }
    }
}
