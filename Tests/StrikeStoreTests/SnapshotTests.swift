import Foundation
import GRDB
import StrikeCore
@testable import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct SnapshotTests {
    @Test func snapshotPlusTailEqualsFullReplayForA120EventStream() async throws {
        let world = try await TestWorld.make(snapshotThreshold: 50)
        let id = try #require(try await world.createEco().state.id)
        // 119 more events: task changes with new fingerprints and detail edits, alternating.
        for n in 1..<120 {
            let command: EcoCommand =
                n.isMultiple(of: 2)
                ? .updateDetails(EcoDetailsChange(description: "Fiber cut, update \(n)"))
                : .recordTaskChange(EcoTaskChanged(taskID: "task-\(n % 7)", status: .allocated, assignee: "crew \(n)", fingerprint: "f\(n)"))
            try await world.store.execute(command, on: id, actor: TestWorld.actor)
        }

        let loaded = try await world.store.load(Eco.self, id: id.rawValue)
        let replayed = try await world.store.replay(Eco.self, id: id.rawValue)
        let snapshotVersion = try await world.store.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT version FROM snapshot WHERE stream_id = ?", arguments: [id.rawValue])
        }

        #expect(replayed.version == 120)
        #expect(snapshotVersion == 100)
        #expect(loaded.version == replayed.version)
        #expect(loaded.state == replayed.state)
        #expect(loaded.state.description == "Fiber cut, update 118")
    }

    @Test func aSnapshotOfAnotherStateVersionIsIgnored() async throws {
        let world = try await TestWorld.make(snapshotThreshold: 2)
        let id = try #require(try await world.createEco().state.id)
        try await world.store.execute(.updateDetails(EcoDetailsChange(description: "second")), on: id, actor: TestWorld.actor)
        // A snapshot written by a build whose state coding differs must not be decoded as today's state.
        try await world.rawSQL("UPDATE snapshot SET snapshot_version = 99, state = '{\"garbage\":true}'")

        let loaded = try await world.store.load(Eco.self, id: id.rawValue)
        #expect(loaded.version == 2)
        #expect(loaded.state.description == "second")
    }
}
