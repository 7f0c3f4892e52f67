import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeCore
import StrikeHTTP
import StrikeRuntime
import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct AccountAPITests {
    @Test func theFirstOwnerIsMadeOnceThenSetupIsGone() async throws {
        let world = try await TestWorld.make()
        var configuration = AppConfiguration()
        configuration.databasePath = world.databasePath
        configuration.passwordCost = 4
        let app = await buildApplication(try await Appliance(configuration: configuration, store: world.store))
        let dispatcher = NewAccount(
            username: "dispatcher", displayName: "dispatcher", password: "a long enough password", isOwner: false,
            membership: NewAccount.Membership(tenant: TestWorld.noc, role: .dispatcher))
        _ = try await world.store.createAccount(dispatcher, passwordCost: 4, actor: .system("test"))
        try await app.test(.router) { client in
            #expect(try await client.get("/api/setup").json["open"] as? Bool == true)
            let taken = try await client.post("/api/setup", ["username": "Dispatcher", "displayName": "D", "password": "a long enough password"])
            #expect(taken.status == .conflict, "a username in use is named, not a server error")
            #expect(taken.problemFields == ["username"])
            let body: [String: any Sendable] = ["username": "root", "displayName": "NOC Lead", "password": "a long enough password"]
            let made = try await client.post("/api/setup", body)
            #expect(made.status == .created)
            #expect((made.json["user"] as? [String: Any])?["isOwner"] as? Bool == true)
            #expect(made.json["noc"] == nil, "no NOC was asked for")
            #expect(!made.text.contains("password"))
            #expect(try await client.get("/api/setup").json["open"] as? Bool == false)

            let again = try await client.post("/api/setup", ["username": "mallory", "displayName": "M", "password": "another long password"])
            #expect(again.status == .notFound)
            #expect(try await client.signIn("root", "a long enough password").csrf.count > 20)
        }
    }

    @Test func theFirstRunMakesTheOwnerAndTheFirstNOCTogetherOrNeither() async throws {
        let world = try await TestWorld.make(seeded: false)
        var configuration = AppConfiguration()
        configuration.databasePath = world.databasePath
        configuration.passwordCost = 4
        let app = await buildApplication(try await Appliance(configuration: configuration, store: world.store, workers: false))
        try await app.test(.router) { client in
            let bad: [String: any Sendable] = ["username": "root", "displayName": "Root", "password": "short", "noc": ["name": "  "]]
            let refused = try await client.post("/api/setup", bad)
            #expect(refused.status == .unprocessableContent)
            #expect(Set(refused.problemFields) == ["password", "noc.name"], "\(refused.text)")
            #expect(try await client.get("/api/setup").json["open"] as? Bool == true, "nothing was made")
            #expect(try await world.store.tenants().isEmpty)
            let unknown: [String: any Sendable] = [
                "username": "root", "displayName": "Root", "password": "a long enough password", "noc": ["name": "Metro NOC", "city": "Denver"],
            ]
            let named = try await client.post("/api/setup", unknown)
            #expect(named.status == .unprocessableContent)
            #expect(named.problemFields == ["noc.city"], "\(named.text)")

            let body: [String: any Sendable] = [
                "username": "root", "displayName": "Root", "password": "a long enough password", "noc": ["name": "Metro NOC"],
            ]
            let made = try await client.post("/api/setup", body)
            #expect(made.status == .created, "\(made.text)")
            let noc = try #require(made.json["noc"] as? [String: Any])
            #expect(noc["kind"] as? String == "NOC")
            #expect(noc["name"] as? String == "Metro NOC")

            let session = try await client.signIn("root", "a long enough password")
            let memberships = try await client.get("/api/me", headers: session.headers).json["memberships"] as? [[String: Any]]
            #expect(memberships?.count == 1)
            #expect(memberships?.first?["tenantID"] as? String == noc["id"] as? String)
            #expect(memberships?.first?["role"] as? String == "admin")
            #expect(try await client.get("/api/setup").json["open"] as? Bool == false)
            #expect(try await client.post("/api/setup", body).status == .notFound)
        }
    }

    @Test func signingInSetsAStrictHttpOnlyCookieAndSigningOutEndsIt() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let response = try await client.post("/api/session", ["username": "noc-dispatcher", "password": APIWorld.password])
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"), "reached over plain http, as the dashboard often is on the LAN")
            let proxied = try await client.post(
                "/api/session", ["username": "noc-dispatcher", "password": APIWorld.password],
                headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(try #require(proxied.headers[.setCookie]).contains("Secure"), "reached over https through a proxy")

            let session = try await client.signIn("noc-dispatcher")
            let me = try await client.get("/api/me", headers: session.headers)
            #expect(me.status == .ok)
            #expect((me.json["memberships"] as? [[String: Any]])?.first?["role"] as? String == "dispatcher")

            let out = try await client.execute(uri: "/api/session", method: .delete, headers: session.headers)
            #expect(out.status == .noContent)
            #expect(try await client.get("/api/me", headers: session.headers).status == .unauthorized)
        }
    }

    @Test func aWrongPasswordAndAnUnknownUserGetTheSameAnswer() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let wrong = try await client.post("/api/session", ["username": "noc-viewer", "password": "not the password"])
            let unknown = try await client.post("/api/session", ["username": "nobody", "password": "not the password"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.contentType] == "application/problem+json")
            #expect(wrong.text == unknown.text)
        }
    }

    @Test func failedSignInsAreRateLimited() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            for _ in 0..<5 {
                #expect(try await client.post("/api/session", ["username": "noc-admin", "password": "guess guess"]).status == .unauthorized)
            }
            let limited = try await client.post("/api/session", ["username": "noc-admin", "password": APIWorld.password])
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Another account is not locked out by them.
            #expect(try await client.post("/api/session", ["username": "osp-admin", "password": APIWorld.password]).status == .ok)
        }
    }

    @Test func aCookiePostWithoutTheCSRFHeaderIsRefusedAndChangesNothing() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let session = try await client.signIn("noc-viewer")
            let change: [String: any Sendable] = ["currentPassword": APIWorld.password, "newPassword": "a brand new password"]

            let forged = try await client.post("/api/me/password", change, headers: session.cookieOnly)
            #expect(forged.status == .forbidden)
            #expect(forged.json["detail"] as? String == "the X-CSRF-Token header is missing or does not match the session")
            _ = try await client.signIn("noc-viewer")  // the old password still works

            let real = try await client.post("/api/me/password", change, headers: session.headers)
            #expect(real.status == .noContent)
            #expect(try await client.post("/api/session", ["username": "noc-viewer", "password": APIWorld.password]).status == .unauthorized)
            _ = try await client.signIn("noc-viewer", "a brand new password")
        }
    }

    @Test func aTokensLastUseIsRecordedToTheMinuteWithoutAWriteForEveryRequest() async throws {
        let clock = ManualClock()
        let api = try await APIWorld.make(clock: .stepped(clock, from: Date(timeIntervalSince1970: 1_780_000_000)))
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            let created = try await client.post("/api/tokens", ["name": "nightly report", "role": "viewer"], headers: admin.headers)
            let bearer: HTTPFields = [.authorization: "Bearer \(try #require(created.json["secret"] as? String))"]
            func lastUse() async throws -> String? {
                let listed = try await client.get("/api/tokens", headers: admin.headers)
                return listed.jsonArray.first?["lastUsedAt"] as? String
            }

            #expect(try await client.get("/api/me", headers: bearer).status == .ok)
            let first = try #require(try await lastUse())
            let transactions = api.world.store.committed.transactions
            clock.advance(by: .seconds(59))
            for _ in 0..<5 { #expect(try await client.get("/api/me", headers: bearer).status == .ok) }
            #expect(api.world.store.committed.transactions == transactions)
            #expect(try await lastUse() == first)

            clock.advance(by: .seconds(1))
            #expect(try await client.get("/api/me", headers: bearer).status == .ok)
            #expect(api.world.store.committed.transactions == transactions + 1)
            #expect(try await lastUse() == ISO8601.string(from: Date(timeIntervalSince1970: 1_780_000_060)))
        }
    }

    @Test func aRevokedTokenStopsWorkingAtOnce() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            let created = try await client.post("/api/tokens", ["name": "nightly report", "role": "viewer"], headers: admin.headers)
            #expect(created.status == .created)
            let secret = try #require(created.json["secret"] as? String)
            let id = try #require((created.json["token"] as? [String: Any])?["id"] as? String)
            let bearer: HTTPFields = [.authorization: "Bearer \(secret)"]

            let me = try await client.get("/api/me", headers: bearer)
            #expect(me.status == .ok)
            let listed = try await client.get("/api/tokens", headers: admin.headers)
            #expect(!listed.text.contains(secret))
            #expect(listed.text.contains("\"lastUsedAt\":\""))

            #expect(try await client.execute(uri: "/api/tokens/\(id)", method: .delete, headers: admin.headers).status == .noContent)
            let after = try await client.get("/api/me", headers: bearer)
            #expect(after.status == .unauthorized)
            #expect(after.json["detail"] as? String == "the API token is unknown or revoked")
        }
    }

    @Test func aTokenCannotOutrankItsMakerNorBeRevokedFromAnotherTenant() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let noc = try await client.signIn("noc-admin")
            let created = try await client.post("/api/tokens", ["name": "script", "role": "admin"], headers: noc.headers)
            let id = try #require((created.json["token"] as? [String: Any])?["id"] as? String)
            let osp = try await client.signIn("osp-admin")
            #expect(try await client.execute(uri: "/api/tokens/\(id)", method: .delete, headers: osp.headers).status == .notFound)
            let dispatcher = try await client.signIn("noc-dispatcher")
            #expect(try await client.post("/api/tokens", ["name": "x", "role": "viewer"], headers: dispatcher.headers).status == .forbidden)
        }
    }

    @Test func badBodiesGetClearAnswers() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let unknown = try await client.post("/api/session", ["username": "a", "password": "b", "remember": true])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.text.contains(#""field":"remember""#))

            let missing = try await client.post("/api/session", ["username": "a"])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.text.contains(#""field":"password","message":"is required""#))

            let mistyped = try await client.post("/api/session", ["username": 7, "password": "b"])
            #expect(mistyped.status == .unprocessableContent)

            let malformed = try await client.execute(uri: "/api/session", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{\"username\":"))
            #expect(malformed.status == .badRequest)

            let text = try await client.execute(uri: "/api/session", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hi"))
            #expect(text.status == .unsupportedMediaType)

            let huge = try await client.execute(
                uri: "/api/session", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"username\":\"" + String(repeating: "x", count: 300_000) + "\"}"))
            #expect(huge.status == .contentTooLarge)
            #expect(huge.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func everyAnswerCarriesTheSecurityHeaders() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            for response in [try await client.get("/healthz"), try await client.get("/api/me"), try await client.get("/no/such/page")] {
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            }
        }
    }

    @Test func strikeUserAddMakesTheOwnerAndClosesSetup() async throws {
        let world = try await TestWorld.make()
        let added = try runProduct("strike", ["user", "add", "--db", world.databasePath, "--username", "lead", "--owner"], input: "a long enough password\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("user lead added as the appliance owner"))
        #expect(try await world.store.hasOwner())

        let short = try runProduct("strike", ["user", "add", "--db", world.databasePath, "--username", "x", "--owner"], input: "short\n")
        #expect(short.status != 0)
        #expect(short.stderr.contains("password: must be 10 to 200 characters"))
    }
}
