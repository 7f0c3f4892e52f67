import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeCore
import StrikeHTTP
import StrikeStore
import StrikeTestSupport
import Testing

/// Tenant settings through the API: defaults for a new tenant, partial changes by admins, ranges enforced.
@Suite struct SettingsAPITests {
    @Test func aNewTenantHasTheDefaultsAndAnAdminChangesSomeOfThem() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let viewer = try await client.signIn("noc-viewer")
            let defaults = try await client.get("/api/settings", headers: viewer.headers).json
            #expect(defaults["contactTimeoutSeconds"] as? Int == 30)
            #expect(defaults["listRepeats"] as? Int == 0)
            #expect(defaults["gracePeriodHours"] as? Int == 24)
            #expect(defaults["mapZoom"] as? [String: Int] == ["create": 3, "view": 15, "list": 3])

            let admin = try await client.signIn("noc-admin")
            let change: [String: Any] = ["mapCenter": ["longitude": -104.99, "latitude": 39.74], "listRepeats": 2]
            let changed = try await client.send(.patch, "/api/settings", change, headers: admin.headers)
            #expect(changed.status == .ok, "\(changed.text)")
            let read = try await client.get("/api/settings", headers: viewer.headers).json
            #expect(read["mapCenter"] as? [String: Double] == ["longitude": -104.99, "latitude": 39.74])
            #expect(read["listRepeats"] as? Int == 2)
            #expect(read["contactTimeoutSeconds"] as? Int == 30)

            let osp = try await client.get("/api/settings", headers: try await client.signIn("osp-viewer").headers).json
            #expect(osp["listRepeats"] as? Int == 0, "one tenant's settings are its own")
        }
    }

    @Test func outOfRangeAndUnknownNestedFieldsAreRefusedAndChangeNothing() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            let refused = try await client.send(
                .patch, "/api/settings",
                ["mapZoom": ["create": 0, "view": 15, "list": 21], "contactTimeoutSeconds": 5, "mapCenter": ["longitude": 200, "latitude": 0]],
                headers: admin.headers)
            #expect(refused.status == .unprocessableContent)
            #expect(Set(refused.problemFields) == ["mapZoom.create", "mapZoom.list", "contactTimeoutSeconds", "mapCenter"])
            let nested = try await client.send(
                .patch, "/api/settings", ["mapZoom": ["create": 5, "view": 15, "list": 3, "tilt": 30]], headers: admin.headers)
            #expect(nested.problemFields == ["mapZoom.tilt"])
            #expect(try await api.world.store.settings(of: TestWorld.noc) == TenantSettings())
            let audit = try await client.get("/api/tenant-audit-log", headers: admin.headers)
            #expect(audit.jsonArray.allSatisfy { $0["entity"] as? String != "tenant_settings" })
        }
    }

    @Test func aTileServerTemplateAddsItsOriginToThePagePolicyAndNullRemovesIt() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            func imageSources() async throws -> String {
                let page = try await client.get("/")
                let policy = page.headers[.contentSecurityPolicy] ?? ""
                return policy.split(separator: ";").first { $0.contains("img-src") }.map(String.init) ?? ""
            }
            #expect(try await imageSources() == " img-src 'self' data:")

            for bad in ["ftp://tiles.example.net/{z}/{x}/{y}.png", "https://tiles.example.net/{z}/{x}.png", "https:///{z}/{x}/{y}",
                "https://tiles example/{z}/{x}/{y}", "https://*.evil.example/{z}/{x}/{y}"] {
                let refused = try await client.send(.patch, "/api/settings", ["tileURLTemplate": bad], headers: admin.headers)
                #expect(refused.status == .unprocessableContent, "\(bad)")
                #expect(refused.problemFields == ["tileURLTemplate"], "\(bad)")
            }
            #expect(try await api.world.store.settings(of: TestWorld.noc).tileURLTemplate == nil)

            let template = "https://{s}.Tiles.example.net:8443/osm/{z}/{x}/{y}.png"
            let saved = try await client.send(.patch, "/api/settings", ["tileURLTemplate": template], headers: admin.headers)
            #expect(saved.status == .ok, "\(saved.text)")
            #expect(saved.json["tileURLTemplate"] as? String == template)
            #expect(try await imageSources() == " img-src 'self' data: https://*.tiles.example.net:8443")
            let unchanged = try await client.send(.patch, "/api/settings", ["listRepeats": 1], headers: admin.headers)
            #expect(unchanged.json["tileURLTemplate"] as? String == template, "a change that leaves it out keeps it")

            let cleared = try await client.send(.patch, "/api/settings", ["tileURLTemplate": NSNull()], headers: admin.headers)
            #expect(cleared.status == .ok)
            #expect(cleared.json["tileURLTemplate"] == nil)
            #expect(try await imageSources() == " img-src 'self' data:")
        }
    }
}
