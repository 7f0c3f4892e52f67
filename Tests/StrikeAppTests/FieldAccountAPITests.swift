import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeCore
import StrikeHTTP
import StrikeStore
import StrikeTestSupport
import Testing

/// Render instances and Twilio accounts: secrets go in, and only "set" ever comes out.
@Suite struct FieldAccountAPITests {
    static let clientSecret = "render-secret-3f9a7c1e"
    static let authToken = "twilio-token-8b2d4e6f"
    static let render: [String: any Sendable] = [
        "mode": "live", "baseURL": "https://render.example.net/api", "clientID": "osp-client", "clientSecret": clientSecret,
        "projectID": "P-100",
    ]
    static let twilio: [String: any Sendable] = [
        "mode": "simulated", "accountSID": "AC" + String(repeating: "0123456789abcdef", count: 2), "authToken": authToken,
        "fromNumber": "+13035550199",
    ]

    @Test func secretsAreWrittenButNeverAnsweredAndTheAuditLogKeepsOnlyThatTheyAreSet() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let osp = try await client.signIn("osp-admin"), noc = try await client.signIn("noc-admin")
            #expect(try await client.get("/api/render-instance", headers: osp.headers).status == .notFound)
            let render = try await client.send(.put, "/api/render-instance", Self.render, headers: osp.headers)
            #expect(render.status == .ok, "\(render.text)")
            #expect(render.json["clientSecretSet"] as? Bool == true)
            #expect(render.json["pollIntervalSeconds"] as? Int == 60)
            let twilio = try await client.send(.put, "/api/twilio-account", Self.twilio, headers: noc.headers)
            #expect(twilio.status == .ok, "\(twilio.text)")
            #expect(twilio.json["authTokenSet"] as? Bool == true)

            var update = Self.render
            update["clientSecret"] = nil
            update["pollIntervalSeconds"] = 120
            let updated = try await client.send(.put, "/api/render-instance", update, headers: osp.headers)
            #expect(updated.json["pollIntervalSeconds"] as? Int == 120)
            #expect(try await api.world.store.renderClientSecret(osp: TestWorld.osp) == Self.clientSecret, "an update without a secret keeps it")
            #expect(try await api.world.store.twilioAuthToken(noc: TestWorld.noc) == Self.authToken)

            let owner = try await client.signIn("owner")
            var answers = [render, twilio, updated]
            answers.append(try await client.get("/api/render-instance", headers: osp.headers))
            answers.append(try await client.get("/api/twilio-account", headers: noc.headers))
            answers.append(try await client.get("/api/tenant-audit-log", headers: osp.headers))
            answers.append(try await client.get("/api/tenant-audit-log", headers: noc.headers))
            answers.append(try await client.get("/api/audit-log", headers: owner.headers))
            for answer in answers {
                #expect(!answer.text.contains(Self.clientSecret) && !answer.text.contains(Self.authToken), "\(answer.text)")
            }
            let entities = try await api.world.store.auditLog(limit: 500, beforeID: nil).map(\.entity)
            #expect(entities.filter { $0 == "render_instance" }.count == 2)
            #expect(entities.filter { $0 == "twilio_account" }.count == 1)
            let rows = try await api.world.store.auditLog(limit: 500, beforeID: nil).map { ($0.before ?? "") + ($0.after ?? "") }
            #expect(rows.allSatisfy { !$0.contains(Self.clientSecret) && !$0.contains(Self.authToken) })
            let ospAudit = try await client.get("/api/tenant-audit-log", headers: osp.headers).jsonArray
            #expect(Set(ospAudit.compactMap { $0["tenantID"] as? String }) == ["test-osp"], "an admin reads only their tenant's changes")
        }
    }

    @Test func eachServiceBelongsToItsKindOfTenantAndBadValuesAreNamed() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let osp = try await client.signIn("osp-admin"), noc = try await client.signIn("noc-admin")
            #expect(try await client.send(.put, "/api/render-instance", Self.render, headers: noc.headers).status == .forbidden)
            #expect(try await client.send(.put, "/api/twilio-account", Self.twilio, headers: osp.headers).status == .forbidden)

            var render = Self.render
            render["clientSecret"] = nil
            render["baseURL"] = "ftp://render.example.net"
            render["pollIntervalSeconds"] = 5
            let refused = try await client.send(.put, "/api/render-instance", render, headers: osp.headers)
            #expect(Set(refused.problemFields) == ["baseURL", "pollIntervalSeconds"])
            render["baseURL"] = nil
            let live = try await client.send(.put, "/api/render-instance", render.merging(["pollIntervalSeconds": 60]) { $1 }, headers: osp.headers)
            #expect(Set(live.problemFields) == ["baseURL"], "live mode needs a URL")
            let firstWithoutSecret = try await client.send(
                .put, "/api/render-instance", render.merging(["mode": "simulated", "pollIntervalSeconds": 60]) { $1 }, headers: osp.headers)
            #expect(firstWithoutSecret.problemFields == ["clientSecret"])

            var twilio = Self.twilio
            twilio["accountSID"] = "AC123"
            twilio["fromNumber"] = "3035550199"
            twilio["mode"] = "sandbox"
            #expect(try await client.send(.put, "/api/twilio-account", twilio, headers: noc.headers).problemFields == ["mode"])
            twilio["mode"] = "live"
            let named = try await client.send(.put, "/api/twilio-account", twilio, headers: noc.headers)
            #expect(Set(named.problemFields) == ["accountSID", "fromNumber"])
            #expect(try await api.world.store.twilioAccount(noc: TestWorld.noc) == nil)
            #expect(try await api.world.store.renderInstance(osp: TestWorld.osp) == nil)
        }
    }
}
