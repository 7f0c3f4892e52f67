import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeCore
import StrikeHTTP
import StrikeStore
import StrikeTestSupport
import Testing

@Suite struct UserAPITests {
    @Test func aTenantAdminManagesItsOwnMembersOnly() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            let made = try await client.post(
                "/api/users", ["username": "night-shift", "displayName": "Night Shift", "password": "a long enough password", "role": "viewer"],
                headers: admin.headers)
            #expect(made.status == .created, "\(made.text)")
            let id = try #require((made.json["user"] as? [String: Any])?["id"] as? String)
            #expect(!made.text.contains("password"))
            _ = try await client.signIn("night-shift", "a long enough password")

            let taken = try await client.post(
                "/api/users", ["username": "NIGHT-shift", "displayName": "Copy", "password": "a long enough password", "role": "viewer"],
                headers: admin.headers)
            #expect(taken.status == .conflict)

            let promote = try await client.execute(uri: "/api/users/\(id)/role", method: .put, headers: admin.headers, body: ByteBuffer(string: #"{"role":"dispatcher"}"#))
            #expect(promote.status == .noContent)
            let members = try await client.get("/api/users", headers: admin.headers)
            #expect(members.text.contains(#""role":"dispatcher","user":{"displayName":"Night Shift""#))

            // The OSP's admin cannot touch the NOC's user: it does not exist for them.
            let stranger = try await client.signIn("osp-admin")
            #expect(try await client.execute(uri: "/api/users/\(id)/membership", method: .delete, headers: stranger.headers).status == .notFound)

            #expect(try await client.execute(uri: "/api/users/\(id)/membership", method: .delete, headers: admin.headers).status == .noContent)
            #expect(!(try await client.get("/api/users", headers: admin.headers).text.contains("night-shift")))
        }
    }

    @Test func theLastAdminCannotBeDemotedOrRemoved() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            let me = try await client.get("/api/me", headers: admin.headers)
            let id = try #require((me.json["user"] as? [String: Any])?["id"] as? String)
            let demote = try await client.execute(uri: "/api/users/\(id)/role", method: .put, headers: admin.headers, body: ByteBuffer(string: #"{"role":"viewer"}"#))
            #expect(demote.status == .conflict)
            #expect(demote.json["detail"] as? String == "the tenant would be left without an admin")
            #expect(try await client.execute(uri: "/api/users/\(id)/membership", method: .delete, headers: admin.headers).status == .conflict)
            #expect(try await client.get("/api/users", headers: admin.headers).status == .ok)
        }
    }

    /// The owner gives a tenant it just added its first admin (a new account), and makes an existing user a
    /// member of another tenant; every refusal names its field and changes nothing.
    @Test func theOwnerAddsNewAndExistingUsersToAnyTenant() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let owner = try await client.signIn("owner")
            let tenant = try await client.post("/api/tenants", ["kind": "OSP", "name": "Canyon Cabling", "jobPrefix": "CC"], headers: owner.headers)
            let tenantID = try #require(tenant.json["id"] as? String)
            let members = "/api/tenants/\(tenantID)/members"
            #expect(try await client.get(members, headers: owner.headers).jsonArray.isEmpty)

            let made = try await client.post(
                members, ["username": "canyon-lead", "displayName": "Canyon Lead", "password": "a long enough password", "role": "admin"],
                headers: owner.headers)
            #expect(made.status == .created, "\(made.text)")
            let lead = try await client.signIn("canyon-lead", "a long enough password")
            let me = try await client.get("/api/me", headers: lead.headers)
            #expect((me.json["memberships"] as? [[String: Any]])?.compactMap { $0["tenantID"] as? String } == [tenantID])

            let existing = try await client.post(members, ["username": "noc-viewer", "role": "viewer"], headers: owner.headers)
            #expect(existing.status == .created, "\(existing.text)")
            #expect(try await client.get(members, headers: owner.headers).jsonArray.compactMap { ($0["user"] as? [String: Any])?["username"] as? String }
                == ["canyon-lead", "noc-viewer"])

            let refusals: [([String: Any], HTTPResponse.Status, String)] = [
                (["username": "noc-viewer", "role": "admin"], .conflict, "username"),
                (["username": "nobody-here", "role": "viewer"], .unprocessableContent, "username"),
                (["username": "half", "displayName": "Half", "role": "viewer"], .unprocessableContent, "password"),
                (["username": "half", "password": "a long enough password", "role": "viewer"], .unprocessableContent, "displayName"),
                (["username": "canyon-lead", "displayName": "Again", "password": "a long enough password", "role": "viewer"], .conflict, "username"),
            ]
            for (body, status, field) in refusals {
                let refused = try await client.send(.post, members, body, headers: owner.headers)
                #expect(refused.status == status, "\(body): \(refused.text)")
                #expect(refused.problemFields == [field], "\(body): \(refused.text)")
            }
            #expect(try await client.get(members, headers: owner.headers).jsonArray.count == 2, "a refusal changed nothing")
            #expect(try await client.get("/api/tenants/no-such-tenant/members", headers: owner.headers).status == .notFound)
            let notOwner = try await client.signIn("noc-admin")
            #expect(try await client.get(members, headers: notOwner.headers).status == .forbidden)
        }
    }
}
