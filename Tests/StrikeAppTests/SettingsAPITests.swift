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
}
