import Foundation
import GRDB
import StrikeCore
import StrikeRuntime
@testable import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct MaintenanceCommandTests {
    @Test func verifyReportsAHandAlteredProjectionAndPassesAfterRebuild() async throws {
        let world = try await TestWorld.make(clock: .instantSleeps)
        let id = try #require(try await world.createEco().state.id)
        try await world.createEco("Second cut")
        #expect(try runProduct("strike", ["verify", "--db", world.databasePath]).status == 0)

        try await world.store.writer.write { db in try db.execute(sql: "UPDATE eco_view SET status = 'COMPLETED' WHERE eco_id = '\(id)'") }

        let failed = try runProduct("strike", ["verify", "--db", world.databasePath])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("projections: 1 difference(s) from a replay of the log"))
        #expect(failed.stdout.contains("eco_view eco_id=\"\(id)\": status is \"COMPLETED\" but the log gives \"OPEN\""), "\(failed.stdout)")

        let rebuild = try runProduct("strike", ["rebuild-projections", "--db", world.databasePath])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(rebuild.stderr.contains("rebuilt 2/2 streams"))
        #expect(rebuild.stderr.contains("rebuilt 2/2 events (100%)"), "the replay reports its progress on stderr: \(rebuild.stderr)")

        let passed = try runProduct("strike", ["verify", "--db", world.databasePath])
        #expect(passed.status == 0, "\(passed.stdout)")
        #expect(passed.stdout.contains("integrity: ok"))
    }

    @Test func aBackupTakenWhileAnotherProcessAppendsIsSound() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("live.db"), backup = directory.path("backup.db")
        let writer = try RunningProduct("strike-crash-writer", ["append", database])
        try await writer.wait(upTo: 20) { $0.lines.count >= 20 }

        let result = try runProduct("strike", ["backup", "--db", database, backup])
        let appendedDuringBackup = writer.lines.count
        writer.stop(SIGKILL)

        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("integrity ok"))
        let verify = try runProduct("strike", ["verify", "--db", backup])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("integrity: ok"))
        let copy = try StrikeStore(path: backup, options: DatabaseOptions(readOnly: true))
        let copied = try await copy.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eco_view") ?? 0 }
        #expect(copied >= 20)
        #expect(copied <= appendedDuringBackup + 1)
    }

    @Test func deadLettersAreListedAndRedeliveredThroughTheCommand() async throws {
        let world = try await TestWorld.make(clock: .instantSleeps)
        let id = try #require(try await world.createEco().state.id)
        let healed = LockedFlag()
        let consumer = FlakyConsumer(healed: healed)
        var configuration = ConsumerRunner.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(100), maxDelay: .seconds(1))
        let runner = ConsumerRunner(store: world.store, consumers: [consumer], configuration: configuration)
        try await runner.drain()

        let listed = try runProduct("strike", ["dlq", "list", "--db", world.databasePath])
        #expect(listed.stdout.contains("flaky\tposition"), "\(listed.stdout) \(listed.stderr)")
        #expect(listed.stdout.contains("EcoCreated\t2 attempts\tparked"))

        let retry = try runProduct("strike", ["dlq", "retry", "--db", world.databasePath, "--consumer", "flaky"])
        #expect(retry.stdout.contains("1 dead letter(s) marked for redelivery"))
        #expect(try runProduct("strike", ["dlq", "list", "--db", world.databasePath]).stdout.contains("retry requested"))

        healed.set()
        try await runner.drain()
        #expect(consumer.handled == [id.rawValue])
        #expect(try runProduct("strike", ["dlq", "list", "--db", world.databasePath]).stdout.contains("no dead letters"))
    }

    @Test func aMissingSpatiaLiteNamesThePackageToInstall() async throws {
        let world = try await TestWorld.make(clock: .instantSleeps)
        let process = try RunningProduct(
            "strike", ["verify", "--db", world.databasePath], environment: ["STRIKE_SPATIALITE": "/nonexistent/mod_spatialite"])
        let status = process.stop(0)
        #expect(status != 0)
        #expect(process.standardError.contains("SpatiaLite (mod_spatialite) could not be loaded"))
        #expect(process.standardError.contains("Install the Debian package libsqlite3-mod-spatialite"))
    }

    @Test func benchPrintsOneJSONDocumentOfTheMachineAndEachScenariosFigures() throws {
        let result = try runProduct("strike", ["bench", "--size", "tiny", "--scenario", "append"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["date", "size", "machine", "scenarios"], "no peer without --postgres")
        #expect(document["size"] as? String == "tiny")
        let machine = try #require(document["machine"] as? [String: Any])
        #expect((machine["cores"] as? Int ?? 0) >= 1)
        #expect((machine["sqlite"] as? String)?.hasPrefix("3.") == true)
        #expect((machine["disk_syncs_per_s"] as? Double ?? 0) > 0)
        let scenarios = try #require(document["scenarios"] as? [String: Any])
        #expect(Set(scenarios.keys) == ["append"])
        let append = try #require(scenarios["append"] as? [String: Any])
        let single = try #require(append["single"] as? [String: Any])
        #expect(Set(single.keys) == ["events_per_s", "p50_ms", "p99_ms", "max_ms"])
        #expect((single["events_per_s"] as? Double ?? 0) > 0)
        #expect((append["batch"] as? [String: Any])?["batch_size"] as? Int == 100)
    }

    @Test func benchRefusesAnUnknownScenarioOrSizeByName() throws {
        let unknown = try runProduct("strike", ["bench", "--size", "tiny", "--scenario", "warp_speed"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no scenario is called warp_speed; the scenarios are append, durable_creates"), "\(unknown.stderr)")
        let size = try runProduct("strike", ["bench", "--size", "huge"])
        #expect(size.status != 0)
        #expect(size.stderr.contains("--size is tiny or full, not huge"), "\(size.stderr)")
    }

    /// Every acknowledged commit waited for its own WAL sync: SQLite's syncs, counted under it by the VFS,
    /// are at least as many as the transactions the benchmark committed (GRDB's default NORMAL makes none).
    @Test func everyBenchmarkCommitIsSyncedToDiskBeforeItReturns() throws {
        let result = try runProduct("strike", ["bench", "--size", "tiny", "--scenario", "append"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let append = try #require((document["scenarios"] as? [String: Any])?["append"] as? [String: Any])
        #expect(append["commits"] as? Int == 55)
        #expect((append["wal_syncs"] as? Int ?? 0) >= 55, "\(append)")
    }

    @Test func versionIsPrinted() throws {
        let result = try runProduct("strike", ["--version"])
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Fails on every ECO until healed.
final class FlakyConsumer: EventConsumer, @unchecked Sendable {
    let name = "flaky"
    private let healed: LockedFlag
    private let lock = NSLock()
    private var streams: [String] = []

    init(healed: LockedFlag) { self.healed = healed }

    var handled: [String] { lock.withLock { streams } }

    func wants(_ event: RecordedEvent) -> Bool { event.type == "EcoCreated" }

    func handle(_ event: RecordedEvent, _ context: ConsumerContext) async throws {
        struct NotYet: Error {}
        guard healed.isSet else { throw NotYet() }
        lock.withLock { streams.append(event.streamID) }
    }
}
