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
}
