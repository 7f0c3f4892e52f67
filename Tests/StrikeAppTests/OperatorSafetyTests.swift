import Foundation
import StrikeCore
@testable import StrikeStore
import StrikeTestSupport
import Testing

/// Operator commands, run as the real `strike` binary, never destroy the database: a backup is never written
/// over the database's own files, a second path to a served database is no second writer, a missing or foreign
/// key file and a database from a newer build stop the appliance before it changes anything.
@Suite struct OperatorSafetyTests {
    @Test func backupRefusesTheDatabaseItsFilesAndItsKeyFileHoweverTheyAreNamed() async throws {
        let world = try await TestWorld.make()
        try await world.createEco()
        try await world.createEco("Second cut")
        try world.store.writer.close()
        let database = world.databasePath, folder = world.directory
        let defaultKey = database + ".key", namedKey = folder.path("named.key")
        _ = try KeyFile.loadOrCreate(at: defaultKey)
        _ = try KeyFile.loadOrCreate(at: namedKey)
        try FileManager.default.createDirectory(atPath: folder.path("sub"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder.path("alias.db"), withDestinationPath: database)
        #expect(link(database, folder.path("hard.db")) == 0)
        let original = try #require(FileManager.default.contents(atPath: database))
        let keys = [defaultKey, namedKey].map { FileManager.default.contents(atPath: $0) }

        let refusals: [(arguments: [String], names: String)] = [
            (["--db", database, database], "the database itself"),
            (["--db", database, folder.path("sub") + "/../strike.db"], "the database itself"),
            (["--db", database, folder.path("alias.db")], "the database itself"),
            (["--db", folder.path("alias.db"), database], "the database itself"),
            (["--db", database, folder.path("hard.db"), "--force"], "the database itself"),
            (["--db", database, database + "-wal", "--force"], "write-ahead log"),
            (["--db", database, database + "-shm", "--force"], "shared-memory index"),
            (["--db", database, defaultKey, "--force"], "the key file"),
            (["--db", database, "--key-file", namedKey, namedKey, "--force"], "the key file"),
            (["--db", database, "--key-file", folder.path("absent.key"), folder.path("sub") + "/../absent.key"], "the key file"),
        ]
        for refusal in refusals {
            let result = try runProduct("strike", ["backup"] + refusal.arguments, timeout: 30)
            #expect(result.status != 0, "\(refusal.arguments) was written")
            #expect(result.stderr.contains("refusing to write the backup to"), "\(refusal.arguments): \(result.stderr)")
            #expect(result.stderr.contains(refusal.names), "\(refusal.arguments): \(result.stderr)")
            #expect(FileManager.default.contents(atPath: database) == original, "\(refusal.arguments) changed the database")
        }
        #expect([defaultKey, namedKey].map { FileManager.default.contents(atPath: $0) } == keys)
        #expect(!FileManager.default.fileExists(atPath: folder.path("absent.key")))

        let older = folder.path("older-backup.db")
        try Data("an older backup".utf8).write(to: URL(fileURLWithPath: older))
        let kept = try runProduct("strike", ["backup", "--db", database, older])
        #expect(kept.status != 0)
        #expect(kept.stderr.contains("the file already exists; give --force to replace it"), "\(kept.stderr)")
        #expect(FileManager.default.contents(atPath: older) == Data("an older backup".utf8))
        let replaced = try runProduct("strike", ["backup", "--db", database, older, "--force"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try runProduct("strike", ["verify", "--db", older]).status == 0)

        #expect(FileManager.default.contents(atPath: database) == original)
        let verify = try runProduct("strike", ["verify", "--db", database])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let reopened = try StrikeStore(path: database, options: DatabaseOptions(readOnly: true))
        #expect(try await reopened.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eco_view") } == 2)
    }

    @Test func aSymlinkOrHardLinkToTheServedDatabaseIsNoSecondWriter() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("served.db"), alias = directory.path("alias.db"), hard = directory.path("hard.db")
        let port = Int.random(in: 20000...40000)
        let server = try RunningProduct("strike", ["serve", "--db", database, "--host", "127.0.0.1", "--port", "\(port)"])
        #expect(try await server.wait(upTo: 30) { $0.lines.contains { $0.contains("Server started") } }, "\(server.standardError)")
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: database)
        #expect(link(database, hard) == 0)

        for arguments in [
            ["serve", "--db", alias, "--port", "\(port + 1)"],
            ["serve", "--db", hard, "--port", "\(port + 2)"],
            ["rebuild-projections", "--db", alias],
            ["dlq", "retry", "--db", hard],
        ] {
            let second = try runProduct("strike", arguments, timeout: 20)
            #expect(second.status != 0, "\(arguments) ran beside the server")
            #expect(second.stderr.contains("another process (pid \(server.pid)) is writing"), "\(arguments): \(second.stderr)")
            #expect(second.stderr.contains("systemctl stop strike"), "\(arguments): \(second.stderr)")
        }
        #expect(server.isRunning)
        #expect(server.stop(SIGTERM) == 0)
    }

    @Test func aMissingOrForeignKeyFileStopsADatabaseWithSealedSecretsAndMakesNoKey() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("sealed.db"), keyFile = database + ".key"
        let first = try await serveUntilReady(database)
        #expect(first.stop(SIGTERM) == 0)
        do {
            let store = try StrikeStore(path: database, secrets: try KeyFile.loadOrCreate(at: keyFile))
            try await TestWorld.seedTenants(store)
            _ = try await store.setTwilioAccount(
                noc: TestWorld.noc,
                TwilioAccountChange(
                    mode: .simulated, accountSID: "AC" + String(repeating: "0123456789abcdef", count: 2), authToken: "twilio-token",
                    fromNumber: "+14155550100"),
                actor: .system("test"))
            try store.writer.close()
        }
        let original = try #require(FileManager.default.contents(atPath: database))
        let saved = directory.path("saved.key")
        #expect(rename(keyFile, saved) == 0)

        let missing = try runProduct("strike", ["serve", "--db", database, "--port", "1"], timeout: 20)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("the key file \(keyFile) is missing"), "\(missing.stderr)")
        #expect(missing.stderr.contains("it must be the key file made with this database. Restore that key file from backup"))
        #expect(!FileManager.default.fileExists(atPath: keyFile), "a new key file was made")
        #expect(FileManager.default.contents(atPath: database) == original)

        _ = try KeyFile.loadOrCreate(at: keyFile)
        let foreign = FileManager.default.contents(atPath: keyFile)
        let wrong = try runProduct("strike", ["serve", "--db", database, "--port", "1"], timeout: 20)
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("the key file \(keyFile) does not open the Render or Twilio secrets"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("it must be the key file made with this database"))
        #expect(FileManager.default.contents(atPath: keyFile) == foreign)
        #expect(FileManager.default.contents(atPath: database) == original)

        #expect(rename(saved, keyFile) == 0)
        let restored = try await serveUntilReady(database)
        #expect(restored.stop(SIGTERM) == 0)
    }

    @Test func aDatabaseWithAMigrationThisBuildDoesNotKnowIsRefusedNamingBoth() throws {
        let directory = try TemporaryDirectory()
        let database = try makeDatabase(in: directory)
        let lastKnown = try sqlite(database, "SELECT identifier FROM grdb_migrations ORDER BY rowid DESC LIMIT 1")
        #expect(!lastKnown.isEmpty)
        _ = try sqlite(database, "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-a-newer-build')")
        let original = try #require(FileManager.default.contents(atPath: database))

        for arguments in [["serve", "--db", database, "--port", "1"], ["verify", "--db", database]] {
            let refused = try runProduct("strike", arguments, timeout: 20)
            #expect(refused.status != 0, "\(arguments)")
            #expect(refused.stderr.contains("was written by a newer build of Osprey Strike"), "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("migration(s) v99-from-a-newer-build that this build does not know"), "\(refused.stderr)")
            #expect(refused.stderr.contains("the last this build knows is \(lastKnown)"), "\(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: database + ".key"), "a key file was made for a database this build refuses")
        #expect(FileManager.default.contents(atPath: database) == original)
    }

    @Test func aDatabaseWithAnEventNewerThanThisBuildReadsIsRefusedNamingBoth() throws {
        let directory = try TemporaryDirectory()
        let database = try makeDatabase(in: directory)
        _ = try sqlite(
            database,
            """
            INSERT INTO event (event_id, stream_id, stream_type, version, type, schema_version, payload, actor, occurred_at, recorded_at)
            VALUES ('from-a-newer-build', 'eco-from-the-future', 'eco', 1, 'EcoCreated', 99, '{}', 'system:newer',
                    '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z')
            """)
        let readable = EcoEvent.currentSchemaVersion(of: "EcoCreated")

        for arguments in [["serve", "--db", database, "--port", "1"], ["verify", "--db", database]] {
            let refused = try runProduct("strike", arguments, timeout: 20)
            #expect(refused.status != 0, "\(arguments)")
            #expect(refused.stderr.contains("was written by a newer build of Osprey Strike"), "\(arguments): \(refused.stderr)")
            #expect(
                refused.stderr.contains("EcoCreated at schema version 99 (this build reads up to version \(readable))"), "\(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: database + ".key"))
    }

    /// `strike serve` on `database`, once it accepts connections.
    private func serveUntilReady(_ database: String) async throws -> RunningProduct {
        let port = Int.random(in: 20000...40000)
        let server = try RunningProduct("strike", ["serve", "--db", database, "--host", "127.0.0.1", "--port", "\(port)"])
        #expect(try await server.wait(upTo: 30) { $0.lines.contains { $0.contains("Server started") } }, "\(server.standardError)")
        return server
    }

    /// A database made and migrated by the binary itself (`user add` creates one), closed again.
    private func makeDatabase(in directory: TemporaryDirectory) throws -> String {
        let database = directory.path("made.db")
        let added = try runProduct("strike", ["user", "add", "--db", database, "--username", "owner", "--owner"], input: "a long enough password\n")
        #expect(added.status == 0, "\(added.stderr)")
        return database
    }

    /// Runs SQL with the sqlite3 shell, as an admin would, and returns what it printed.
    private func sqlite(_ database: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database, sql]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try ProcessLaunch.run(process)
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        let problems = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sqlite3: \(String(decoding: problems, as: UTF8.self))")
        return String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
