import Foundation
import GRDB
import StrikeCore
@testable import StrikeStore
import StrikeTestSupport
import Synchronization
import Testing

@Suite struct EventLogTests {
    private func event(_ n: Int) -> NewEvent {
        NewEvent(type: "TestHappened", schemaVersion: 1, payload: Data("{\"n\":\(n)}".utf8), actor: .system("test"), occurredAt: Date())
    }

    /// GRDB's pool turns `synchronous` down to NORMAL when it sets up WAL; the connection that writes must
    /// still run with FULL (2) after the pool is open, after migrations, and after commits.
    @Test func theWritingConnectionSyncsEveryCommit() async throws {
        let world = try await TestWorld.make(seeded: false)
        try await world.store.append(streamID: "s", streamType: "test", expectedVersion: 0, events: [event(0)])
        let synchronous = try await world.store.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2)
    }

    /// Savepoint journals (one for every write of a group commit) stay in memory: with SQLite's default, each
    /// savepoint that changed a page opened, wrote and closed a temporary file under /var/tmp. Read back from the
    /// writing connection and a reading one, after the pool has set them up.
    @Test func everyConnectionKeepsItsTemporaryJournalsInMemory() async throws {
        let world = try await TestWorld.make(seeded: false)
        let memory = 2
        #expect(try await world.store.write { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == memory)
        #expect(try await world.store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == memory)
    }

    /// Group commit: writes that arrive while another commits go together in the next transaction, each still
    /// refused on its own. The first write holds the writer until twenty more wait behind it.
    @Test func writesWaitingBehindACommitShareTheNextOneAndARefusedWriteFailsAlone() async throws {
        let world = try await TestWorld.make(seeded: false)
        let store = world.store
        try await store.append(streamID: "taken", streamType: "test", expectedVersion: 0, events: [event(0)])
        let before = store.committed

        let holdingStarted = Mutex(false)
        let holding = Task {
            try await store.write { _ in
                holdingStarted.withLock { $0 = true }
                let deadline = Date().addingTimeInterval(10)
                while store.writesWaiting < 21, Date() < deadline { usleep(500) }
                #expect(store.writesWaiting == 21, "the others queue behind the write under way")
            }
        }
        while !holdingStarted.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            for n in 1...20 {
                group.addTask {
                    let appended = try? await store.append(streamID: "s-\(n)", streamType: "test", expectedVersion: 0, events: [self.event(n)])
                    return ("s-\(n)", appended != nil)
                }
            }
            group.addTask {
                let appended = try? await store.append(streamID: "taken", streamType: "test", expectedVersion: 0, events: [self.event(99)])
                return ("taken", appended != nil)
            }
            return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        try await holding.value

        #expect(outcomes.count == 21)
        #expect(outcomes.filter(\.value).count == 20 && outcomes["taken"] == false, "\(outcomes)")
        for n in 1...20 { #expect(try await store.stream("s-\(n)").count == 1) }
        #expect(try await store.stream("taken").count == 1)
        let after = store.committed
        #expect(after.writes - before.writes == 21, "the holding write and the twenty appends; not the refused one")
        // The holding write changed nothing; the twenty appends that succeeded went in one transaction.
        #expect(after.transactions - before.transactions == 1, "\(before) → \(after)")
    }

    @Test func twoWritersAtTheSameExpectedVersionOneWinsOneConflicts() async throws {
        let world = try await TestWorld.make(seeded: false)
        let store = world.store
        try await store.append(streamID: "s", streamType: "test", expectedVersion: 0, events: [event(0)])

        let results = await withTaskGroup(of: Result<[RecordedEvent], any Error>.self) { group in
            for n in 1...2 {
                group.addTask {
                    do {
                        return .success(try await store.append(streamID: "s", streamType: "test", expectedVersion: 1, events: [self.event(n)]))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }

        let wins = results.filter { if case .success = $0 { true } else { false } }
        let conflicts = results.compactMap { result -> VersionConflict? in
            if case .failure(let error) = result { error as? VersionConflict } else { nil }
        }
        #expect(wins.count == 1)
        #expect(conflicts == [VersionConflict(streamID: "s", expected: 1, actual: 2)])
        #expect(try await store.stream("s").map(\.version) == [1, 2])
    }

    @Test func eightConcurrentWritersOnDistinctStreamsAllSucceed() async throws {
        let world = try await TestWorld.make(seeded: false)
        let store = world.store
        let perWriter = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for version in 0..<perWriter {
                        try await store.append(streamID: "writer-\(writer)", streamType: "test", expectedVersion: version, events: [self.event(version)])
                    }
                }
            }
            try await group.waitForAll()
        }

        let all = try await store.events(afterPosition: 0, limit: 10_000)
        #expect(all.count == 8 * perWriter)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.position < $1.position })
        #expect(Set(all.map(\.position)).count == all.count)
        for writer in 0..<8 {
            #expect(try await store.stream("writer-\(writer)").map(\.version) == Array(1...perWriter))
        }
    }

    @Test(arguments: ["UPDATE event SET type = 'Tampered'", "DELETE FROM event", "UPDATE event SET payload = '{}' WHERE position = 1"])
    func theLogRefusesRawUpdateAndDelete(sql: String) async throws {
        let world = try await TestWorld.make()
        try await world.createEco()
        let before = try await world.store.events(afterPosition: 0)

        let error = await #expect(throws: DatabaseError.self) { try await world.rawSQL(sql) }
        #expect(error?.message?.contains("append-only") == true)
        #expect(try await world.store.events(afterPosition: 0) == before)
    }

    @Test func anOldEcoCreatedPayloadLoadsThroughTheUpcaster() async throws {
        let world = try await TestWorld.make()
        // Given an EcoCreated written at schema v1, before attachments existed.
        let v1 = """
            {"description":"Fiber cut on Main St","ecoID":"old-eco","jobID":"E2-00007-2024","jobType":"MFR",
             "location":{"type":"Point","coordinates":[-104.99,39.74]},"nocTenantID":"test-noc","ospTenantID":"test-osp"}
            """
        try await world.store.append(
            streamID: "old-eco", streamType: "eco", expectedVersion: 0,
            events: [NewEvent(type: "EcoCreated", schemaVersion: 1, payload: Data(v1.utf8), actor: .system("v1"), occurredAt: Date())])

        // When it is read back
        let stored = try #require(try await world.store.stream("old-eco").first)
        let event: EcoEvent = try stored.decode()
        let loaded = try await world.store.load(Eco.self, id: "old-eco")

        // Then it is the current EcoCreated, with no attachments, and the stored row is untouched.
        guard case .created(let created) = event else { Issue.record("not EcoCreated: \(event)"); return }
        #expect(created.attachments == [])
        #expect(created.jobID == JobID(prefix: "E2", number: 7, year: 2024))
        #expect(loaded.state.jobType == .mfr)
        #expect(stored.schemaVersion == 1)
        #expect(!String(decoding: stored.payload, as: UTF8.self).contains("attachments"))
    }
}
