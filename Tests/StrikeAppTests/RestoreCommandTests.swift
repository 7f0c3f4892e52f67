import Foundation
import GRDB
import StrikeApp
import StrikeCore
@testable import StrikeStore
import StrikeTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct RestoreCommandTests {
    /// The drill: a backup under write load, a restore, the appliance served again, and every ECO whose creation
    /// was acknowledged before the backup began is there.
    @Test func aBackupTakenUnderLoadIsRestoredAndServedWithEveryAcknowledgedEco() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("live.db"), backup = directory.path("drill.db")
        let writer = try RunningProduct("strike-crash-writer", ["append", database])
        #expect(try await writer.wait(upTo: 30) { $0.lines.count >= 30 })
        let acknowledged = writer.lines
        let backedUp = try runProduct("strike", ["backup", "--db", database, backup])
        #expect(backedUp.status == 0, "\(backedUp.stderr)")
        #expect(try await writer.wait(upTo: 10) { $0.lines.count > acknowledged.count + 10 }, "writes went on after the backup")
        writer.stop(SIGKILL)
        let writtenAfter = Set(writer.lines).subtracting(acknowledged)

        let restored = try runProduct("strike", ["restore", "--db", database, backup])
        #expect(restored.status == 0, "\(restored.stderr)")
        let kept = try #require(restored.stdout.firstMatch(of: /kept as (\S+)/).map { String($0.1) })
        #expect(kept.hasPrefix(database + ".replaced-"))
        #expect(FileManager.default.fileExists(atPath: kept))
        #expect(!FileManager.default.fileExists(atPath: database + "-shm"))
        let replaced = try DatabaseQueue(path: kept, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let replacedCount = try await replaced.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM eco_view") ?? 0 }
        #expect(replacedCount >= acknowledged.count + writtenAfter.count, "the replaced database opens with its write-ahead log")

        #expect(try runProduct("strike", ["user", "add", "--db", database, "--username", "drill", "--tenant", TestWorld.noc.rawValue,
                                          "--role", "viewer"], input: "a long drill password\n").status == 0)
        let port = try LoopbackPort.free()
        let server = try RunningProduct("strike", ["serve", "--db", database, "--host", "127.0.0.1", "--port", "\(port)"])
        #expect(try await server.wait(upTo: 30) { $0.lines.contains { $0.contains("Server started") } }, "\(server.standardError)")
        let client = try await HTTPSession.signIn(port: port, username: "drill", password: "a long drill password")
        var missing: [String: Int] = [:]
        for id in acknowledged where !id.isEmpty {
            let status = try await client.status("/api/ecos/\(id)", tenant: TestWorld.noc)
            if status != 200 { missing[id] = status }
        }
        #expect(missing.isEmpty, "\(missing.count) of \(acknowledged.count) ECOs acknowledged before the backup answer otherwise: \(missing.prefix(5))")
        #expect(server.stop(SIGTERM) == 0)
    }

    @Test func aRestoreIsRefusedWhileTheApplianceRunsAndForABadOrNewerBackupLeavingTheDatabaseAsItWas() async throws {
        let world = try await TestWorld.make()
        try await world.createEco("The database's own ECO")
        let backup = world.directory.path("good.db")
        #expect(try runProduct("strike", ["backup", "--db", world.databasePath, backup]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: world.databasePath))

        let port = try LoopbackPort.free()
        let served = world.directory.path("served.db")
        let server = try RunningProduct("strike", ["serve", "--db", served, "--host", "127.0.0.1", "--port", "\(port)"])
        #expect(try await server.wait(upTo: 30) { $0.lines.contains { $0.contains("Server started") } })
        let whileRunning = try runProduct("strike", ["restore", "--db", served, backup])
        #expect(whileRunning.status != 0)
        #expect(whileRunning.stderr.contains("another process (pid \(server.pid)) is writing"), "\(whileRunning.stderr)")
        #expect(server.stop(SIGTERM) == 0)

        let garbage = world.directory.path("garbage.db")
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: garbage))
        let bad = try runProduct("strike", ["restore", "--db", world.databasePath, garbage])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("not a database"), "\(bad.stderr)")

        let newer = world.directory.path("newer.db")
        try FileManager.default.copyItem(atPath: backup, toPath: newer)
        try await DatabaseQueue(path: newer).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        let future = try runProduct("strike", ["restore", "--db", world.databasePath, newer])
        #expect(future.status != 0)
        #expect(future.stderr.contains("written by a newer build"), "\(future.stderr)")

        let otherKey = world.directory.path("other.key")
        let sealed = world.directory.path("sealed.db")
        let sealing = try StrikeStore(path: sealed, secrets: try KeyFile.loadOrCreate(at: sealed + ".key"))
        try await TestWorld.seedTenants(sealing)
        _ = try await sealing.setTwilioAccount(
            noc: TestWorld.noc, TwilioAccountChange(mode: .simulated, accountSID: "AC" + String(repeating: "0", count: 32), authToken: "secret", fromNumber: "+13035550199"),
            actor: .system("test"))
        try await sealing.checkpointLog()
        _ = try KeyFile.loadOrCreate(at: otherKey)
        let wrongKey = try runProduct("strike", ["restore", "--db", world.databasePath, "--key-file", otherKey, sealed])
        #expect(wrongKey.status != 0)
        #expect(wrongKey.stderr.contains("does not open the Render or Twilio secrets"), "\(wrongKey.stderr)")

        #expect(try Data(contentsOf: URL(fileURLWithPath: world.databasePath)) == before, "every refusal leaves the database as it was")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: world.directory.path(""))
            .filter { $0.contains(".restoring-") || $0.contains(".replaced-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}

/// A signed-in client of a running `strike serve`, over a real socket. It keeps no cookie jar: cookies are kept
/// per host, not per port, so a shared jar would send this appliance another test's session.
struct HTTPSession {
    let port: Int
    let cookie: String
    let csrf: String

    static let client: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        return URLSession(configuration: configuration)
    }()

    static func signIn(port: Int, username: String, password: String) async throws -> HTTPSession {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/session")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["username": username, "password": password])
        let (data, response) = try await client.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200, "sign-in of \(username)")
        let cookie = try #require(http.value(forHTTPHeaderField: "Set-Cookie")?.split(separator: ";").first)
        let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return HTTPSession(port: port, cookie: String(cookie), csrf: try #require(body["csrfToken"] as? String))
    }

    func status(_ path: String, tenant: TenantID? = nil) async throws -> Int {
        try await send("GET", path, tenant: tenant).status
    }

    /// A state-changing request as the dashboard sends it: the session cookie and the CSRF token.
    func post(_ path: String, tenant: TenantID? = nil) async throws -> (status: Int, json: [String: Any]) {
        let (status, data) = try await send("POST", path, tenant: tenant)
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    private func send(_ method: String, _ path: String, tenant: TenantID?) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.setValue(cookie, forHTTPHeaderField: "Cookie")
        request.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token")
        if let tenant { request.setValue(tenant.rawValue, forHTTPHeaderField: "X-Tenant-ID") }
        let (data, response) = try await Self.client.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}
