import Foundation
import GRDB
@testable import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct CrashSafetyTests {
    /// A child appends ECOs and prints each acknowledged id; it is killed with SIGKILL at random moments.
    /// Every acknowledged ECO must survive, in the log and in `eco_view`, and the file must stay sound.
    @Test func everyAcknowledgedEcoSurvivesSigkill() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("crash.db")
        var acknowledged: [String] = []
        var kills = 0
        while kills < 24 {
            let child = try RunningProduct("strike-crash-writer", ["append", database])
            if kills.isMultiple(of: 2) {
                // Any moment at all: often while it opens or migrates the database, sometimes mid-append.
                try await child.wait(upTo: Double.random(in: 0.005...0.25)) { !$0.isRunning }
            } else {
                // Surely mid-append: once it has acknowledged a couple, a few milliseconds later.
                try await child.wait(upTo: 30) { $0.lines.count >= 2 || !$0.isRunning }
                try await child.wait(upTo: Double.random(in: 0.001...0.05)) { !$0.isRunning }
            }
            #expect(child.isRunning, "the writer died on its own: \(child.standardError)")
            child.stop(SIGKILL)
            kills += 1
            acknowledged += child.lines
        }
        #expect(acknowledged.count >= 24, "too few appends to prove anything: \(acknowledged.count)")

        let store = try StrikeStore(path: database)
        let (logged, viewed, numbers) = try await store.writer.read { db in
            (
                Set(try String.fetchAll(db, sql: "SELECT stream_id FROM event WHERE type = 'EcoCreated'")),
                Set(try String.fetchAll(db, sql: "SELECT eco_id FROM eco_view")),
                try Int.fetchAll(db, sql: "SELECT job_number FROM eco_view ORDER BY job_number")
            )
        }
        let missingFromLog = Set(acknowledged).subtracting(logged)
        let missingFromView = Set(acknowledged).subtracting(viewed)
        #expect(missingFromLog.isEmpty)
        #expect(missingFromView.isEmpty)
        #expect(numbers == Array(1...numbers.count), "job numbers have gaps")
        #expect(try await store.integrityCheck() == ["ok"])

        let verify = try runProduct("strike", ["verify", "--db", database])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("projections: match a replay of the log"))
    }

    /// A consumer handles an event and its process is killed before the checkpoint commits: after a
    /// restart the event is delivered again, and once handled to the end it is checkpointed.
    @Test func anEventHandledButNotCheckpointedIsRedeliveredAfterSigkill() async throws {
        let world = try await TestWorld.make()
        let position = try #require(try await world.createEco().events.first?.position)

        let killed = try RunningProduct("strike-crash-writer", ["consume", world.databasePath, "hang"])
        #expect(try await killed.wait(upTo: 30) { $0.lines.contains("handled \(position)") }, "\(killed.standardError)")
        killed.stop(SIGKILL)
        #expect(try await world.store.checkpoint(of: "crash-test") == 0)

        let restarted = try RunningProduct("strike-crash-writer", ["consume", world.databasePath, "finish"])
        #expect(try await restarted.wait(upTo: 30) { $0.lines.contains("caught up") }, "\(restarted.standardError)")
        #expect(restarted.lines == ["handled \(position)", "caught up"])
        #expect(try await world.store.checkpoint(of: "crash-test") == position)
    }
}
