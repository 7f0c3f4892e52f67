import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeCore
import StrikeRuntime
import StrikeStore
import StrikeTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct BackupAPITests {
    static let epoch = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func theOwnersScheduleBacksUpWhenDueAndKeepsOnlyTheNewest() async throws {
        let driver = ClockDriver()
        let api = try await APIWorld.make(clock: driver.applianceClock(from: Self.epoch))
        let folder = api.world.directory.path("backups")
        let backups = api.appliance.upkeep.backups
        try await api.world.createEco("Cut before the backups")
        try await api.test { client in
            let owner = try await client.signIn("owner")
            let schedule: [String: any Sendable] = ["enabled": true, "directory": folder, "everyMinutes": 60, "keep": 2]
            let admin = try await client.signIn("noc-admin")
            #expect(try await client.send(.put, "/api/backups/schedule", schedule, headers: admin.headers).status == .forbidden)
            let saved = try await client.send(.put, "/api/backups/schedule", schedule, headers: owner.headers)
            #expect(saved.status == .ok, "\(saved.text)")
            let inForce = try #require(saved.json["schedule"] as? [String: Any])
            #expect(inForce["setBy"] as? String == "owner")
            #expect(inForce["everyMinutes"] as? Int == 60)
            #expect(!FileManager.default.fileExists(atPath: folder), "saving a schedule makes no directory")

            await backups.runIfDue()
            #expect(Self.backupFiles(in: folder).count == 1, "the first backup is due at once, and makes the directory")
            try "the admin's own notes".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
            await backups.runIfDue()
            driver.clock.advance(by: .seconds(59 * 60))
            await backups.runIfDue()
            #expect(Self.backupFiles(in: folder).count == 1, "not due again before an hour has passed")
            driver.clock.advance(by: .seconds(2 * 60))
            await backups.runIfDue()
            #expect(Self.backupFiles(in: folder).count == 2)
            driver.clock.advance(by: .seconds(61 * 60))
            await backups.runIfDue()

            let kept = Self.backupFiles(in: folder)
            #expect(kept.count == 2, "the oldest is removed beyond keep: \(kept)")
            #expect(FileManager.default.fileExists(atPath: folder + "/notes.txt"), "other files are never touched")
            let status = try await client.get("/api/backups", headers: owner.headers)
            let files = try #require(status.json["files"] as? [[String: Any]])
            #expect(files.compactMap { $0["name"] as? String } == kept.sorted(by: >))
            #expect((status.json["lastSuccess"] as? [String: Any])?["file"] as? String == kept.max())
            #expect(status.json["failing"] as? Bool == false)
            for file in kept {
                let copy = try DatabaseQueue(path: folder + "/" + file)
                #expect(try await copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
                #expect(try await copy.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eco_view") } == 1)
            }
        }
    }

    @Test func aBadScheduleIsRefusedFieldByFieldAndChangesNothing() async throws {
        let api = try await APIWorld.make()
        let file = api.world.directory.path("a-file")
        try "not a directory".write(toFile: file, atomically: true, encoding: .utf8)
        try await api.test { client in
            let owner = try await client.signIn("owner")
            let bad: [String: any Sendable] = ["enabled": true, "directory": "relative/backups", "everyMinutes": 5, "keep": 0]
            let refused = try await client.send(.put, "/api/backups/schedule", bad, headers: owner.headers)
            #expect(refused.status == .unprocessableContent)
            #expect(Set(refused.problemFields) == ["directory", "everyMinutes", "keep"])
            let fresh = api.world.directory.path("not-yet/backups")
            let badKeep: [String: any Sendable] = ["enabled": true, "directory": fresh, "everyMinutes": 60, "keep": 0]
            let keepRefused = try await client.send(.put, "/api/backups/schedule", badKeep, headers: owner.headers)
            #expect(keepRefused.problemFields == ["keep"])
            #expect(!FileManager.default.fileExists(atPath: api.world.directory.path("not-yet")), "a refused schedule makes no directory")
            let onAFile: [String: any Sendable] = ["enabled": true, "directory": file, "everyMinutes": 60, "keep": 3]
            let alsoRefused = try await client.send(.put, "/api/backups/schedule", onAFile, headers: owner.headers)
            #expect(alsoRefused.status == .unprocessableContent)
            #expect(alsoRefused.text.contains("is a file, not a directory"))
            let status = try await client.get("/api/backups", headers: owner.headers)
            #expect((status.json["schedule"] as? [String: Any])?["setBy"] as? String == "default")
        }
    }

    @Test func aFailedBackupIsRecordedShownOnReadinessAndMetricsUntilTheNextSucceeds() async throws {
        let api = try await APIWorld.make()
        let folder = api.world.directory.path("backups")
        try await api.test { client in
            let owner = try await client.signIn("owner")
            let schedule: [String: any Sendable] = ["enabled": true, "directory": folder, "everyMinutes": 1440, "keep": 5]
            #expect(try await client.send(.put, "/api/backups/schedule", schedule, headers: owner.headers).status == .ok)
            // The disk changed under the schedule: its directory is now a file.
            try "in the way".write(toFile: folder, atomically: true, encoding: .utf8)

            let failed = try await client.execute(uri: "/api/backups", method: .post, headers: owner.headers)
            #expect(failed.status == .internalServerError)
            #expect(failed.text.contains("is a file, not a directory"))
            let status = try await client.get("/api/backups", headers: owner.headers)
            #expect(status.json["failing"] as? Bool == true)
            #expect(((status.json["lastFailure"] as? [String: Any])?["error"] as? String)?.contains("is a file") == true)
            let ready = try await client.get("/readyz")
            #expect(ready.status == .ok, "a failed backup does not stop the appliance serving")
            let check = (ready.json["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "backups" }
            #expect((check?["detail"] as? String)?.contains("last failure at") == true, "\(ready.text)")
            let metrics = try await client.get("/metrics", headers: owner.headers).text
            #expect(metrics.contains("strike_backup_failing 1.0"))
            #expect(metrics.contains("strike_backup_last_failure_timestamp_seconds "))

            try FileManager.default.removeItem(atPath: folder)
            let succeeded = try await client.execute(uri: "/api/backups", method: .post, headers: owner.headers)
            #expect(succeeded.status == .created, "\(succeeded.text)")
            #expect(succeeded.json["failing"] as? Bool == false)
            #expect(try await client.get("/metrics", headers: owner.headers).text.contains("strike_backup_failing 0.0"))
            let admin = try await client.signIn("noc-admin")
            #expect(try await client.execute(uri: "/api/backups", method: .post, headers: admin.headers).status == .forbidden)
        }
    }

    @Test func theCommandLinesScheduleWinsAndTheOwnerCannotChangeIt() async throws {
        let folder = try TemporaryDirectory().path("cli-backups")
        let api = try await APIWorld.make { configuration in
            configuration.backupSchedule = BackupSchedule(enabled: true, directory: folder, everyMinutes: 360, keep: 28)
        }
        try await api.test { client in
            let owner = try await client.signIn("owner")
            let status = try await client.get("/api/backups", headers: owner.headers)
            let inForce = try #require(status.json["schedule"] as? [String: Any])
            #expect(inForce["setBy"] as? String == "command line")
            #expect(inForce["directory"] as? String == folder)
            #expect(inForce["keep"] as? Int == 28)
            let change: [String: any Sendable] = ["enabled": false, "directory": folder, "everyMinutes": 60, "keep": 1]
            let refused = try await client.send(.put, "/api/backups/schedule", change, headers: owner.headers)
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("command line"))
        }
    }

    @Test func theOwnerDownloadsAConsistentCheckedCopyWhileWritesGoOn() async throws {
        let api = try await APIWorld.make()
        for index in 0..<20 { try await api.world.createEco("Acknowledged before the download \(index)") }
        let writing = Task {
            var count = 0
            while !Task.isCancelled {
                try await api.world.createEco("Written during the download \(count)")
                count += 1
            }
        }
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            #expect(try await client.get("/api/backup", headers: dispatcher.headers).status == .forbidden)
            let owner = try await client.signIn("owner")
            let download = try await client.get("/api/backup", headers: owner.headers)
            writing.cancel()
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/vnd.sqlite3")
            let disposition = try #require(download.headers[.contentDisposition])
            #expect(disposition.wholeMatch(of: /attachment; filename="strike-\d{8}T\d{6}Z\.db"/) != nil, "\(disposition)")
            let file = api.world.directory.path("downloaded.db")
            try Data(buffer: download.body).write(to: URL(fileURLWithPath: file))
            let copy = try DatabaseQueue(path: file)
            #expect(try await copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
            let copied = try await copy.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eco_view WHERE description LIKE 'Acknowledged before%'")
            }
            #expect(copied == 20)
        }
        _ = await writing.result
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("strike-download-") }
        #expect(leftovers.isEmpty, "the streamed copy is gone once sent: \(leftovers)")
    }

    @Test func serveBacksUpOnTheScheduleGivenOnItsCommandLine() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("served.db"), folder = directory.path("nightly")
        let refused = try runProduct("strike", ["serve", "--db", database, "--backup-dir", folder, "--backup-every", "5m"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("everyMinutes must be 15 to 10080"), "\(refused.stderr)")
        let unparsed = try runProduct("strike", ["serve", "--db", database, "--backup-dir", folder, "--backup-every", "6 hours"])
        #expect(unparsed.stderr.contains("--backup-every must be a count with m, h or d"), "\(unparsed.stderr)")
        let alone = try runProduct("strike", ["serve", "--db", database, "--backup-keep", "3"])
        #expect(alone.stderr.contains("need --backup-dir"), "\(alone.stderr)")

        let port = try LoopbackPort.free()
        let server = try RunningProduct(
            "strike", ["serve", "--db", database, "--host", "127.0.0.1", "--port", "\(port)", "--backup-dir", folder, "--backup-every", "6h",
                       "--backup-keep", "3"])
        let backedUp = try await server.wait(upTo: 30) { _ in !Self.backupFiles(in: folder).isEmpty }
        #expect(backedUp, "the first backup is made at start: \(server.standardError)")
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/readyz")!)
        #expect(String(decoding: data, as: UTF8.self).contains("last success at"))
        #expect(server.stop(SIGTERM) == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700, "backups hold secrets: the directory is the appliance's only")
    }

    static func backupFiles(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("strike-") && $0.hasSuffix(".db") }
    }
}
