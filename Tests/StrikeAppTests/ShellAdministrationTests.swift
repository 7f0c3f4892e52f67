import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeCore
import StrikeHTTP
@testable import StrikeStore
import StrikeTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct ShellAdministrationTests {
    @Test func disablingAUserEndsTheirSessionsAndTokensAtOnceAndStopsTheirSignIn() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            let issued = try await client.post("/api/tokens", ["name": "their script", "role": "viewer"], headers: admin.headers.tenant(TestWorld.noc))
            #expect(issued.status == .created, "\(issued.text)")
            let bearer: HTTPFields = [.authorization: "Bearer \(try #require(issued.json["secret"] as? String))"]
            #expect(try await client.get("/api/me", headers: admin.headers).status == .ok)
            #expect(try await client.get("/api/me", headers: bearer).status == .ok)

            let disabled = try await api.world.store.setDisabled(true, username: "noc-admin", actor: .system("cli"))
            #expect(disabled.disabledAt != nil)
            #expect(try await client.get("/api/me", headers: admin.headers).status == .unauthorized, "the session ended at once")
            #expect(try await client.get("/api/me", headers: bearer).status == .unauthorized, "the token they made was revoked at once")
            let refused = try await client.post("/api/session", ["username": "noc-admin", "password": APIWorld.password])
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("disabled"))

            _ = try await api.world.store.setDisabled(false, username: "noc-admin", actor: .system("cli"))
            let again = try await client.signIn("noc-admin")
            #expect(try await client.get("/api/me", headers: again.headers).status == .ok)
            #expect(try await client.get("/api/me", headers: bearer).status == .unauthorized, "a revoked token stays revoked")
            let audit = try await api.world.store.auditLog(tenant: nil, limit: 20, beforeID: nil)
            #expect(audit.contains { $0.action == "disable" && $0.actor == "system:cli" })
        }
    }

    @Test func usersAreListedGivenPasswordsRolesAndDisabledFromTheShell() async throws {
        let world = try await TestWorld.make()
        let database = world.databasePath
        let add = { (arguments: [String]) throws -> CommandOutput in
            try runProduct("strike", ["user", "add", "--db", database] + arguments, input: "a first long password\n")
        }
        #expect(try add(["--username", "root", "--owner"]).status == 0)
        #expect(try add(["--username", "dana", "--display-name", "Dana Cruz", "--tenant", TestWorld.noc.rawValue, "--role", "dispatcher"]).status == 0)

        let onlyOwner = try runProduct("strike", ["user", "disable", "--db", database, "root"])
        #expect(onlyOwner.status != 0)
        #expect(onlyOwner.stderr.contains("the only owner who can sign in"), "\(onlyOwner.stderr)")

        #expect(try runProduct("strike", ["user", "role", "--db", database, "dana", "--tenant", TestWorld.osp.rawValue, "--role", "viewer"]).status == 0)
        #expect(try runProduct("strike", ["user", "role", "--db", database, "dana", "--tenant", TestWorld.noc.rawValue, "--role", "admin"]).status == 0)
        let badRole = try runProduct("strike", ["user", "role", "--db", database, "dana", "--tenant", TestWorld.noc.rawValue, "--role", "boss"])
        #expect(badRole.stderr.contains("--role must be admin, dispatcher, viewer or none"))
        let short = try runProduct("strike", ["user", "passwd", "--db", database, "dana"], input: "short\n")
        #expect(short.status != 0)
        #expect(try runProduct("strike", ["user", "passwd", "--db", database, "dana"], input: "a second long password\n").status == 0)
        #expect(try runProduct("strike", ["user", "disable", "--db", database, "dana"]).status == 0)
        let unknown = try runProduct("strike", ["user", "disable", "--db", database, "nobody"])
        #expect(unknown.stderr.contains("there is no user nobody"))

        let listed = try runProduct("strike", ["user", "list", "--db", database])
        #expect(listed.status == 0)
        let dana = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix("dana\t") })
        #expect(dana.contains("Dana Cruz"))
        #expect(dana.contains("disabled since"))
        #expect(dana.contains("Test NOC (test-noc): admin"))
        #expect(dana.contains("Test OSP (test-osp): viewer"))
        #expect(listed.stdout.split(separator: "\n").contains { $0.hasPrefix("root\t") && $0.contains("owner") })

        let (user, hash) = try #require(try await world.store.credentials(username: "dana"))
        #expect(user.disabledAt != nil)
        #expect(await Passwords.verify("a second long password", hash: hash))
        #expect(try runProduct("strike", ["user", "role", "--db", database, "dana", "--tenant", TestWorld.osp.rawValue, "--role", "none"]).status == 0)
        #expect(try await world.store.memberships(userID: user.id).map(\.tenantID) == [TestWorld.noc])
    }

    @Test func aRegionIsImportedFromTheShellWithTheAPIsChecks() async throws {
        let world = try await TestWorld.make()
        let list = try await world.store.createPagerList(PagerListDraft(ospTenantID: TestWorld.osp, name: "Boulder", region: nil), actor: .system("test"))
        let file = world.directory.path("boulder.geojson")
        let ring = "[[-105.3,40.0],[-105.2,40.0],[-105.2,40.1],[-105.3,40.1],[-105.3,40.0]]"
        try #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[\#(ring)]}}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let empty = world.directory.path("empty.geojson")
        try #"{"type":"FeatureCollection","features":[]}"#.write(toFile: empty, atomically: true, encoding: .utf8)
        let arguments = ["--db", world.databasePath, "--tenant", TestWorld.osp.rawValue, "--list", "Boulder"]

        let refused = try runProduct("strike", ["region", "import"] + arguments + [empty])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("is not a region"), "\(refused.stderr)")
        let noList = try runProduct("strike", ["region", "import", "--db", world.databasePath, "--tenant", TestWorld.osp.rawValue, "--list", "Aspen", file])
        #expect(noList.stderr.contains("has no pager list called Aspen"))
        let inside = EcoLocation.point(Position(longitude: -105.25, latitude: 40.05))
        #expect(try await world.store.pagerList(for: inside, osp: TestWorld.osp) == nil, "refusals changed nothing")

        let imported = try runProduct("strike", ["region", "import"] + arguments + [file])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("1 polygon(s)"))
        #expect(try await world.store.pagerList(for: inside, osp: TestWorld.osp)?.list.id == list.id)
    }

    @Test func theNOCsTwilioSetupCheckNamesEveryNumberThatIsNotE164() async throws {
        let api = try await APIWorld.make()
        let store = api.world.store
        _ = try await store.setTwilioAccount(
            noc: TestWorld.noc,
            TwilioAccountChange(mode: .simulated, accountSID: "AC" + String(repeating: "1", count: 32), authToken: "token", fromNumber: "+13035550199"),
            actor: .system("test"))
        let list = try await store.createPagerList(PagerListDraft(ospTenantID: TestWorld.osp, name: "Denver", region: nil), actor: .system("test"))
        _ = try await store.setPagerListContacts(
            list.id, osp: TestWorld.osp, contacts: [PagerContact(name: "Ana Ortiz", phone: "+13035550101"), PagerContact(name: "Ben Okafor", phone: "+13035550102")],
            actor: .system("test"))
        let numbers = { try await api.appliance.upkeep.checkTwilioSetup(TestWorld.noc).first { $0.name == "contact numbers" } }
        #expect(try await numbers()?.ok == true)
        // A number stored before the API checked numbers, say.
        try await store.writer.write { db in try db.execute(sql: "UPDATE pager_contact SET phone = '303-555-0102' WHERE name = 'Ben Okafor'") }
        let found = try #require(try await numbers())
        #expect(!found.ok)
        #expect(found.detail.contains("Ben Okafor (Test OSP, Denver): 303-555-0102"), "\(found.detail)")
        try await api.test { client in
            let osp = try await client.signIn("osp-admin")
            #expect(try await client.execute(uri: "/api/twilio-account/check", method: .post, headers: osp.headers).status == .forbidden)
            let dispatcher = try await client.signIn("noc-dispatcher")
            #expect(try await client.execute(uri: "/api/twilio-account/check", method: .post, headers: dispatcher.headers).status == .forbidden)
        }
    }

    /// The whole check against a running demo: its public URL fetched from the appliance itself, its simulated
    /// account's credentials, its contacts.
    @Test func theTwilioCheckFetchesTheApplianceThroughItsPublicURL() async throws {
        for reachable in [true, false] {
            let directory = try TemporaryDirectory()
            let port = try LoopbackPort.free()
            let publicPort = reachable ? port : try LoopbackPort.free()
            let demo = try RunningProduct(
                "strike", ["demo", "--db", directory.path("demo.db"), "--host", "127.0.0.1", "--port", "\(port)",
                           "--public-base-url", "http://127.0.0.1:\(publicPort)"])
            #expect(try await demo.wait(upTo: 90) { $0.lines.contains { $0.contains("Demo sign-ins") } }, "\(demo.standardError)")
            let owner = try #require(DemoSeed.credentials.first { $0.username == "owner" })
            let session = try await HTTPSession.signIn(port: port, username: owner.username, password: owner.password)
            let (status, report) = try await session.post("/api/twilio-account/check", tenant: DemoSeed.noc)
            #expect(status == 200)
            let checks = try #require(report["checks"] as? [[String: Any]])
            let byName = Dictionary(uniqueKeysWithValues: checks.map { ($0["name"] as? String ?? "", $0) })
            #expect(byName["credentials"]?["ok"] as? Bool == true, "\(checks)")
            #expect(byName["contact numbers"]?["ok"] as? Bool == true, "\(checks)")
            #expect(byName["public URL"]?["ok"] as? Bool == reachable, "\(checks)")
            #expect(report["ok"] as? Bool == reachable)
            if !reachable {
                #expect((byName["public URL"]?["detail"] as? String)?.contains("could not be reached from this appliance") == true)
            }
            #expect(try await session.status("/twilio/ping/not-issued") == 404)
            #expect(demo.stop(SIGTERM) == 0)
        }
    }
}

extension HTTPFields {
    /// These headers with the active tenant named.
    func tenant(_ id: TenantID) -> HTTPFields {
        var headers = self
        headers[HTTPField.Name("X-Tenant-ID")!] = id.rawValue
        return headers
    }
}
